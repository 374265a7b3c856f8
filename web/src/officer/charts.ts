// The dashboard's charts (Chart.js 4, only the bar chart's parts, bundled in a
// chunk of its own that the statistics screen loads). A hidden cell is not
// drawn (Chart.js leaves a gap for null): its table beside says why.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { Table } from './stats';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

// Colour-blind-safe (Okabe-Ito), AA against white.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export function barChart(canvas: HTMLCanvasElement, tb: Table): { destroy(): void } {
  const oneWay = tb.row_totals === null;
  const series = oneWay ? [tb.unit] : tb.columns.labels;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: tb.rows.labels,
      datasets: series.map((label, j) => ({
        label,
        data: tb.cells.map((row) => row[j]?.value ?? null),
        backgroundColor: COLOURS[j % COLOURS.length],
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: !oneWay } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
