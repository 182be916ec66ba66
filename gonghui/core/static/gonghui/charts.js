// Draws every [data-chart] element from the JSON in the <script type="application/json"> it names.
(function () {
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    var option;
    // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
    // Content-Security-Policy refuses.
    if (spec.type === "pie") {
      option = { tooltip: { trigger: "item", renderMode: "richText" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: spec.labels.map(function (l, i) {
          return { name: l, value: spec.values[i] }; }) }] };
    } else {
      option = { tooltip: { trigger: "axis", renderMode: "richText" }, grid: { left: 40, right: 10, bottom: 60 },
        xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: spec.type === "line" ? "line" : "bar", data: spec.values, itemStyle: { color: "#b71c1c" } }] };
    }
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
