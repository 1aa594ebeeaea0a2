// The printable report (templates/reports/report.html): draw its charts, then tell the PDF
// renderer (reports.builder) that the page is ready. A file, not inline: the pages' CSP forbids inline script.
(function () {
  var drawn = [];
  document.querySelectorAll("[data-report-chart]").forEach(function (el) {
    var figure = JSON.parse(document.getElementById("figure-" + el.dataset.reportChart).textContent);
    // The page's box decides the size (A4 width in the PDF), not the dashboard's figure height.
    var layout = Object.assign({}, figure.layout, {height: el.clientHeight, width: el.clientWidth});
    drawn.push(window.Plotly.newPlot(el, figure.data, layout, {staticPlot: true, displayModeBar: false}));
  });
  Promise.all(drawn).then(function () { window.reportReady = true; });
})();

document.querySelectorAll("[data-print]").forEach(function (link) {
  link.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
});
