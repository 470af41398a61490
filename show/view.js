/* hatif show: draws each sentence's relation arcs over its text after layout.
 *
 * An arc goes from its trigger up into the gap above the text line, across, and down
 * to its argument. Arcs on one line are stacked in levels so that none crosses another's
 * label; an arc between two lines runs up from the trigger, out to the margin of the
 * sentence, along it to the other line and in to the argument. The gap above every line
 * of a sentence is made tall enough for its highest stack.
 *
 * The work is done in batches of reads then writes, so that the browser lays the page
 * out a few times in all rather than once per sentence. When done, <body> gets
 * data-layout="done" and data-layout-ms (the time taken), which tests and benchmarks read.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var LEVEL = 16;     // px between stacked arcs
  var FIRST = 11;     // px from the top of the text to the lowest arc
  var EDGE = 8;       // px from the text to the first route along the margin
  var ROUTE = 5;      // px between routes along one margin
  var MIN_LINE = 44;  // px: the line height of a sentence without arcs (as in the CSS)

  function labelWidth(text) { return 6.6 * text.length + 10; }

  function entRects(text) {
    // every client rect of every mark, by mark key, in reading order (fragments included)
    var out = {};
    var els = text.querySelectorAll(".ent[data-ent]");
    for (var i = 0; i < els.length; i++) {
      var key = els[i].getAttribute("data-ent");
      var rs = els[i].getClientRects();
      var list = out[key] || (out[key] = []);
      for (var j = 0; j < rs.length; j++) list.push(rs[j]);
    }
    return out;
  }

  function lineOf(r, top, lh) { return Math.floor((r.top + r.height / 2 - top) / lh); }

  // Pass 1 (reads): which lines each arc touches, where its feet are, which level it takes.
  function plan(sent) {
    var text = sent.querySelector(".text");
    var arcs = sent.querySelectorAll("svg.arcs .arc");
    if (!arcs.length || text.offsetParent === null) return null;
    var style = getComputedStyle(text);
    var lh = parseFloat(style.lineHeight);
    var box = text.getBoundingClientRect();
    var top = box.top + parseFloat(style.paddingTop);
    var rects = entRects(text);
    var contentH = 0, key;
    for (key in rects) rects[key].forEach(function (r) { contentH = Math.max(contentH, r.height); });
    var lineOfRect = function (r) { return lineOf(r, top, lh); };
    var items = [];
    for (var i = 0; i < arcs.length; i++) {
      var g = arcs[i];
      var hr = rects[g.getAttribute("data-head")] || [], tr = rects[g.getAttribute("data-tail")] || [];
      if (!hr.length || !tr.length) continue;
      // feet: a rect of each span on a common line if there is one, else the nearest ends
      var hi = -1, ti = -1;
      for (var a = 0; a < hr.length && hi < 0; a++)
        for (var b = 0; b < tr.length; b++)
          if (lineOfRect(hr[a]) === lineOfRect(tr[b])) { hi = a; ti = b; break; }
      if (hi < 0) {
        var forward = lineOfRect(tr[0]) > lineOfRect(hr[0]);
        hi = forward ? hr.length - 1 : 0;
        ti = forward ? 0 : tr.length - 1;
      }
      items.push({ g: g, label: g.querySelector("text").textContent,
                   head: g.getAttribute("data-head"), tail: g.getAttribute("data-tail"),
                   hi: hi, ti: ti, hr: hr[hi], tr: tr[ti],
                   hline: lineOfRect(hr[hi]), tline: lineOfRect(tr[ti]) });
    }
    if (!items.length) return null;
    spreadFeet(items);
    var levels = assignLevels(items, box);
    return { sent: sent, text: text, items: items, contentH: contentH || 30, levels: levels };
  }

  // Several arcs on one span: their feet share its width instead of one point.
  function spreadFeet(items) {
    var feet = {};
    items.forEach(function (it) {
      var hk = it.head + "#" + it.hi, tk = it.tail + "#" + it.ti;
      (feet[hk] = feet[hk] || []).push({ it: it, end: "h", rect: it.hr, other: cx(it.tr) });
      (feet[tk] = feet[tk] || []).push({ it: it, end: "t", rect: it.tr, other: cx(it.hr) });
    });
    Object.keys(feet).forEach(function (k) {
      var list = feet[k];
      list.sort(function (p, q) { return p.other - q.other; });
      var r = list[0].rect, n = list.length, w = Math.min(r.width, 14 * n + 10);
      var left = r.left + (r.width - w) / 2;
      list.forEach(function (f, i) {
        f.it[f.end === "h" ? "hx" : "tx"] = n === 1 ? cx(r) : left + w * (i + 1) / (n + 1);
      });
    });
  }

  function cx(r) { return r.left + r.width / 2; }

  // Lowest free level per line, shortest arcs first; an arc between lines gets one per line.
  function assignLevels(items, box) {
    var byLine = {}, sides = { left: 0, right: 0 }, top = 0;
    function segment(it, line, x1, x2, withLabel) {
      var lo = Math.min(x1, x2), hi = Math.max(x1, x2);
      if (withLabel) {
        var mid = (lo + hi) / 2, half = labelWidth(it.label) / 2;
        lo = Math.min(lo, mid - half); hi = Math.max(hi, mid + half);
      }
      var seg = { it: it, line: line, lo: lo - 2, hi: hi + 2, level: 0 };
      (byLine[line] = byLine[line] || []).push(seg);
      return seg;
    }
    items.forEach(function (it) {
      if (it.hline === it.tline) {
        it.segs = [segment(it, it.hline, it.hx, it.tx, true)];
      } else {
        // out along the margin that makes the shorter way round
        var viaRight = (2 * box.right - it.hx - it.tx) <= (it.hx + it.tx - 2 * box.left);
        var side = viaRight ? "right" : "left";
        var k = Math.min(sides[side]++, 4);
        it.edge = viaRight ? box.right + EDGE + k * ROUTE : box.left - EDGE - k * ROUTE;
        it.segs = [segment(it, it.hline, it.hx, it.edge, true), segment(it, it.tline, it.edge, it.tx, false)];
      }
    });
    Object.keys(byLine).forEach(function (line) {
      var segs = byLine[line].slice().sort(function (a, b) { return (a.hi - a.lo) - (b.hi - b.lo); });
      var placed = [];
      segs.forEach(function (s) {
        var level = 0;
        while (placed.some(function (p) { return p.level === level && p.lo < s.hi && s.lo < p.hi; })) level++;
        s.level = level;
        placed.push(s);
        top = Math.max(top, level + 1);
      });
    });
    return top;
  }

  // Pass 2 (writes): the line height that holds the highest stack of the sentence.
  function setLines(p) {
    var gap = FIRST + p.levels * LEVEL;
    var lh = Math.max(MIN_LINE, Math.ceil(p.contentH + gap));
    p.lineHeight = lh;
    p.text.style.lineHeight = lh + "px";
    // the first line gets the same gap above it as the others have from the line before
    p.text.style.paddingTop = Math.max(0, Math.round((lh - p.contentH) / 2)) + "px";
  }

  // Pass 3 (reads): final coordinates, relative to the sentence's stage.
  function measure(p) {
    var stage = p.text.parentNode.getBoundingClientRect();
    var rects = entRects(p.text);
    p.stage = stage;
    p.items.forEach(function (it) {
      var hr = rects[it.head][it.hi], tr = rects[it.tail][it.ti];
      it.y1 = hr.top - stage.top;
      it.y2 = tr.top - stage.top;
      it.x1 = it.hx - stage.left;
      it.x2 = it.tx - stage.left;
      it.levelY = it.segs.map(function (s, i) {
        var lineTop = (i === 0 ? hr.top : tr.top) - stage.top;
        if (it.segs.length === 1) lineTop = Math.min(hr.top, tr.top) - stage.top;
        return lineTop - FIRST - s.level * LEVEL;
      });
      if (it.edge !== undefined) it.ex = it.edge - stage.left;
    });
  }

  function corner(x, y, dx, dy, r) {
    // a rounded turn at (x, y) from vertical (coming along dy) to horizontal (leaving along dx)
    return " L" + x + "," + (y - dy * r) + " Q" + x + "," + y + " " + (x + dx * r) + "," + y;
  }

  // Pass 4 (writes): the paths, the arrowheads, the labels.
  function draw(p) {
    var svg = p.sent.querySelector("svg.arcs");
    svg.setAttribute("width", Math.ceil(p.stage.width));
    svg.setAttribute("height", Math.ceil(p.stage.height));
    p.items.forEach(function (it) {
      var g = it.g, d, lx, ly;
      var x1 = r1(it.x1), y1 = r1(it.y1), x2 = r1(it.x2), y2 = r1(it.y2);
      if (it.segs.length === 1) {
        var yl = r1(it.levelY[0]), dir = x2 >= x1 ? 1 : -1;
        var r = Math.min(5, Math.abs(x2 - x1) / 2);
        d = "M" + x1 + "," + y1 + corner(x1, yl, dir, -1, r) + " L" + (x2 - dir * r) + "," + yl +
            " Q" + x2 + "," + yl + " " + x2 + "," + (yl + r) + " L" + x2 + "," + y2;
        lx = (x1 + x2) / 2; ly = yl;
      } else {
        var ya = r1(it.levelY[0]), yb = r1(it.levelY[1]), ex = r1(it.ex);
        d = "M" + x1 + "," + y1 + " L" + x1 + "," + ya + " L" + ex + "," + ya + " L" + ex + "," + yb +
            " L" + x2 + "," + yb + " L" + x2 + "," + y2;
        lx = (x1 + ex) / 2; ly = ya;
      }
      var line = g.querySelector("path.line") || g.insertBefore(document.createElementNS(SVG, "path"), g.firstChild);
      line.setAttribute("class", "line");
      line.setAttribute("d", d);
      var head = g.querySelector("path.head") || g.insertBefore(document.createElementNS(SVG, "path"), line.nextSibling);
      head.setAttribute("class", "head");
      head.setAttribute("d", "M" + (x2 - 3.5) + "," + (y2 - 7) + " L" + (x2 + 3.5) + "," + (y2 - 7) + " L" + x2 + "," + y2 + " Z");
      var label = g.querySelector("text");
      label.setAttribute("x", r1(lx));
      label.setAttribute("y", r1(ly));
      label.setAttribute("text-anchor", "middle");
      label.setAttribute("dominant-baseline", "central");
    });
  }

  function r1(v) { return Math.round(v * 10) / 10; }

  function layout() {
    var t0 = performance.now();
    var sents = document.querySelectorAll(".sent");
    var plans = [];
    for (var i = 0; i < sents.length; i++) {
      var p = plan(sents[i]);
      if (p) plans.push(p);
    }
    plans.forEach(setLines);
    plans.forEach(measure);
    plans.forEach(draw);
    document.body.setAttribute("data-layout", "done");
    document.body.setAttribute("data-layout-ms", Math.round(performance.now() - t0));
    document.body.setAttribute("data-arcs-drawn", plans.reduce(function (n, p) { return n + p.items.length; }, 0));
  }

  function reset() {
    // back to the no-arc layout so that the next plan measures lines as the CSS sets them
    var texts = document.querySelectorAll(".sent .text");
    for (var i = 0; i < texts.length; i++) { texts[i].style.lineHeight = ""; texts[i].style.paddingTop = ""; }
  }

  var timer = null;
  function relayout() {
    clearTimeout(timer);
    timer = setTimeout(function () { reset(); layout(); }, 120);
  }

  function start() {
    var filter = document.getElementById("errors-filter");
    if (filter) {
      filter.addEventListener("change", function () {
        document.body.classList.toggle("errors-only", filter.checked);
        reset(); layout();
      });
    }
    window.addEventListener("resize", relayout);
    layout();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
