// Draws every [data-chart] element from the JSON in the <script type="application/json"> it names.
(function () {
  // Long unit names would run into each other under a bar; the full name stays in the tooltip and the table.
  function shorten(label) {
    label = String(label);
    return label.length > 8 ? label.slice(0, 7) + "…" : label;
  }

  // A series with nothing in it (no labels, or every value zero) says so instead of drawing an empty axis.
  function isEmpty(spec) {
    var values = spec.values || [];
    return !values.some(function (v) { return Number(v) !== 0; });
  }

  function showEmpty(el) {
    var note = document.createElement("div");
    note.className = "gh-chart-empty";
    note.setAttribute("data-chart-empty", el.getAttribute("data-chart"));
    note.textContent = el.getAttribute("data-empty") || "暂无数据";
    el.replaceWith(note);
    var table = note.nextElementSibling;
    if (table && table.classList.contains("gh-chart-table")) { table.hidden = true; }
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    if (isEmpty(spec)) { showEmpty(el); return; }
    if (!window.echarts) { return; }
    var chart = window.echarts.init(el);
    var option;
    // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
    // Content-Security-Policy refuses.
    if (spec.type === "pie") {
      option = { tooltip: { trigger: "item", renderMode: "richText" }, legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: function (p) { return shorten(p.name); } },
          data: spec.labels.map(function (l, i) { return { name: l, value: spec.values[i] }; }) }] };
    } else {
      option = { tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 40, right: 10, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: 30, formatter: shorten } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: spec.type === "line" ? "line" : "bar", data: spec.values, itemStyle: { color: "#b71c1c" } }] };
    }
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
