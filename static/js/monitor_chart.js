// Draws a monitor's latency chart from the JSON the page embeds as #latency-data.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const canvas = document.getElementById("latency-chart");
  const source = document.getElementById("latency-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels.map((iso) => new Date(iso).toLocaleTimeString()),
      datasets: [{
        label: "Latency (ms)",
        data: data.latency,
        pointBackgroundColor: data.passed.map((ok) => (ok ? "#198754" : "#dc3545")),
        borderColor: "#0d6efd",
        tension: 0.2,
      }],
    },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
});
