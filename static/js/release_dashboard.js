// Draws the monitor charts of the release dashboard, again after each live refresh of its cards.
(function () {
  "use strict";
  const charts = [];

  function drawMonitorCharts() {
    const source = document.getElementById("monitor-chart-data");
    if (!source || typeof Chart === "undefined") return;
    while (charts.length) charts.pop().destroy();
    const monitors = JSON.parse(source.textContent);
    for (const monitor of monitors) {
      const canvas = document.querySelector(`canvas[data-monitor-chart="${monitor.id}"]`);
      if (!canvas) continue;
      charts.push(new Chart(canvas, {
        data: {
          labels: monitor.labels,
          datasets: [
            { type: "bar", label: "Uptime (%)", data: monitor.uptime, yAxisID: "uptime",
              backgroundColor: "rgba(25, 135, 84, 0.35)", borderColor: "#198754", borderWidth: 1 },
            { type: "line", label: "Mean latency (ms)", data: monitor.latency, yAxisID: "latency",
              borderColor: "#0d6efd", borderDash: [6, 3], pointStyle: "triangle", pointRadius: 3, spanGaps: true },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { labels: { usePointStyle: true } } },
          scales: {
            uptime: { position: "left", min: 0, max: 100, title: { display: true, text: "Uptime %" } },
            latency: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
              title: { display: true, text: "Latency ms" } },
          },
        },
      }));
    }
  }

  document.addEventListener("DOMContentLoaded", drawMonitorCharts);
  // A live refresh replaces the cards and their canvases; opening a heat-map cell does not.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id !== "cell-risks") drawMonitorCharts();
  });
})();
