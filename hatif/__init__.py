"""hatif: phone-call events (caller, callee, date, topic) in Arabic news."""

__version__ = "0.1.0"
