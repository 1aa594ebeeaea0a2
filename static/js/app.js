// Draws the server-built Plotly figures and wires the filter bar. No network access beyond this site.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById("figure-" + el.dataset.chart);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({}, figure.layout, { autosize: true });
      window.Plotly.newPlot(el, figure.data, layout, {
        displaylogo: false, responsive: true, showLink: false, showSendToCloud: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
      }).then(function () { el.dataset.rendered = "1"; });
    });
  }

  function wireFilters() {
    document.querySelectorAll("[data-filters]").forEach(function (form) {
      var custom = form.querySelector(".custom-range");
      form.querySelectorAll("input[name=preset]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          form.querySelectorAll(".chip").forEach(function (chip) { chip.classList.remove("on"); });
          radio.parentElement.classList.add("on");
          var isCustom = radio.value === "custom";
          custom.hidden = !isCustom;
          // Presets are computed on the server from today's date: don't send stale dates with them.
          custom.querySelectorAll("input").forEach(function (input) { input.disabled = !isCustom; });
          if (!isCustom) form.submit();
        });
      });
      if (custom.hidden) custom.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () {
          // A platform change makes the chosen account meaningless.
          if (select.name === "platform") form.querySelector("select[name=account]").value = "";
          form.submit();
        });
      });
    });
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireFilters();
    drawCharts();
  });
})();
