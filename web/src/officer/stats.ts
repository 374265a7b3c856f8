// The statistics dashboard (issue 18): a release of published tables for a
// period and offices, small cells suppressed by the server
// (GET /api/v1/stats/release, docs/statistics.md). Each table as a chart
// (Chart.js, loaded with the screen, not with the app) and as the table
// itself, every hidden cell marked — never shown as 0 — and the same release
// as CSV. For analysts and supervisors; an analyst never sees a person.
import * as api from './api';
import { h, replace, select } from '../common/dom';
import { t, tMaybe } from './i18n';
import type { Screen, Shell } from './screens';
import { blobUrl, errorText, sessionEnded, when } from './ui';

export type Mark = 'published' | 'rounded' | 'primary' | 'sensitive' | 'secondary';
export interface Cell { value: number | null; mark: Mark }
export interface Table {
  name: string; title: string; unit: string;
  rows: { dimension: string; labels: string[] };
  columns: { dimension: string; labels: string[] };
  cells: Cell[][]; row_totals: Cell[] | null; column_totals: Cell[]; total: Cell;
}
interface Duration { name: string; title: string; unit: string; dimension: string;
  rows: { label: string; n: number | null; median: number | null; p90: number | null; mark: Mark }[] }
interface Rate { name: string; title: string; definition: string; dimension: string;
  rows: { label: string; value: number | null; mark: Mark }[] }
export interface Release {
  release: { id: string; generated_at: string; as_of: string; from: string; to: string; offices: string[];
    national: boolean; threshold: number; method: string; sensitive_suppressed: boolean };
  tables: Table[]; durations: Duration[]; rates: Rate[]; notes: string[];
}

/** A cell as published: its number, or the mark of why it is hidden (never 0). */
export function cellText(c: Cell | null | undefined): string {
  if (!c) return '';
  if (c.value === null) return t(`stats.mark.${c.mark}` as 'stats.mark.primary');
  return c.mark === 'rounded' ? `${c.value}*` : String(c.value);
}

function markClass(c: Cell | { value: number | null; mark: Mark }): string {
  return c.value === null ? `hidden-cell mark-${c.mark}` : '';
}

function tableOf(tb: Table): HTMLTableElement {
  const oneWay = tb.row_totals === null;
  const cols = oneWay ? [tb.unit] : tb.columns.labels;
  const head = h('tr', {}, h('th', { scope: 'col' }, tMaybe(`stats.dim.${tb.rows.dimension}`) ?? tb.rows.dimension),
    ...cols.map((c) => h('th', { scope: 'col' }, c)), oneWay ? null : h('th', { scope: 'col' }, t('stats.total')));
  const body = tb.rows.labels.map((label, i) => h('tr', {},
    h('th', { scope: 'row' }, label),
    ...tb.cells[i]!.map((c) => h('td', { class: markClass(c) }, cellText(c))),
    oneWay ? null : h('td', { class: `total ${markClass(tb.row_totals![i]!)}` }, cellText(tb.row_totals![i]))));
  const foot = h('tr', { class: 'totals' }, h('th', { scope: 'row' }, t('stats.total')),
    ...tb.column_totals.map((c) => h('td', { class: markClass(c) }, cellText(c))),
    oneWay ? null : h('td', { class: markClass(tb.total) }, cellText(tb.total)));
  return h('table', { class: 'stats', 'data-table': tb.name },
    h('caption', { class: 'visually-hidden' }, titleOf(tb)), h('thead', {}, head), h('tbody', {}, ...body), h('tfoot', {}, foot));
}

function durationTable(d: Duration): HTMLTableElement {
  return h('table', { class: 'stats', 'data-table': d.name }, h('caption', { class: 'visually-hidden' }, `${titleOf(d)} (${d.unit})`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tMaybe(`stats.dim.${d.dimension}`) ?? d.dimension),
      ...['n', 'median', 'p90'].map((k) => h('th', { scope: 'col' }, t(`stats.col.${k}` as 'stats.col.n'))))),
    h('tbody', {}, ...d.rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.label),
      ...[r.n, r.median, r.p90].map((v) => h('td', { class: markClass({ value: v, mark: r.mark }) },
        v === null ? t(`stats.mark.${r.mark}` as 'stats.mark.primary') : String(v)))))));
}

function rateTable(r: Rate): HTMLTableElement {
  return h('table', { class: 'stats', 'data-table': r.name }, h('caption', { class: 'visually-hidden' }, titleOf(r)),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tMaybe(`stats.dim.${r.dimension}`) ?? r.dimension),
      h('th', { scope: 'col' }, t('stats.col.rate')))),
    h('tbody', {}, ...r.rows.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.label === 'period' ? t('stats.period') : x.label),
      h('td', { class: markClass(x) }, x.value === null ? t(`stats.mark.${x.mark}` as 'stats.mark.primary') : `${(x.value * 100).toFixed(1)} %`)))),
    h('tfoot', {}, h('tr', {}, h('td', { colspan: '2', class: 'definition' }, r.definition))));
}

/** A table's title in the app's language (the server's English one otherwise). */
function titleOf(x: { name: string; title: string }): string {
  return tMaybe(`stats.t.${x.name}`) ?? x.title;
}

function figure(title: string, chart: HTMLElement | null, table: HTMLTableElement): HTMLElement {
  return h('figure', { class: 'stat' }, h('h3', {}, title), chart, table);
}

const hasPublished = (tb: Table): boolean => tb.cells.some((row) => row.some((c) => c.value !== null && c.value > 0));

function canvasFor(title: string): HTMLCanvasElement {
  return h('canvas', { role: 'img', 'aria-label': t('stats.chartOf', { title }) });
}

export const statsScreen: Screen = {
  id: 'stats',
  nav: 'nav.stats',
  roles: ['analyst', 'supervisor'],
  render(shell: Shell) {
    const today = new Date(Date.now() - 5 * 3600 * 1000).toISOString().slice(0, 10); // Panama's day
    const yearAgo = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
    const from = h('input', { id: 'stats-from', type: 'date', value: yearAgo, required: true });
    const to = h('input', { id: 'stats-to', type: 'date', value: today, required: true });
    const offices = h('input', { id: 'stats-offices', type: 'text', inputmode: 'numeric', placeholder: '101,102', 'aria-describedby': 'stats-offices-hint' });
    const method = select([['suppress', t('stats.method.suppress')], ['round5', t('stats.method.round5')]], 'suppress');
    method.id = 'stats-method';
    const threshold = h('input', { id: 'stats-threshold', type: 'number', min: '5', value: '5' });
    const error = h('p', { class: 'error', role: 'alert' });
    const out = h('div', { class: 'stats-release', 'aria-live': 'polite' });
    const csv = h('a', { class: 'button', hidden: true, download: 'puente-statistics.csv' }, t('stats.csv'));
    const query = (): string => {
      const q = new URLSearchParams({ from: from.value, to: to.value, method: method.value, threshold: threshold.value });
      if (offices.value.trim()) q.set('offices', offices.value.replace(/\s+/g, ''));
      return q.toString();
    };
    const charts: { destroy(): void }[] = [];

    async function load(): Promise<void> {
      error.textContent = '';
      replace(out, h('p', {}, t('stats.computing')));
      delete out.dataset['charts'];
      csv.hidden = true;
      let r: Release;
      try {
        r = await api.call<Release>('GET', `/api/v1/stats/release?${query()}`);
      } catch (e) {
        replace(out);
        if (!sessionEnded(e)) error.textContent = errorText(e);
        return;
      }
      for (const c of charts.splice(0)) c.destroy();
      const rel = r.release;
      const figures: HTMLElement[] = [];
      const drawn: [HTMLCanvasElement, Table][] = [];
      for (const tb of r.tables) {
        let chart: HTMLElement;
        if (hasPublished(tb)) {
          const canvas = canvasFor(titleOf(tb));
          drawn.push([canvas, tb]);
          chart = h('div', { class: 'chart' }, canvas);
        } else {
          chart = h('p', { class: 'all-hidden' }, t('stats.allHidden'));
        }
        figures.push(figure(titleOf(tb), chart, tableOf(tb)));
      }
      replace(out,
        h('section', { class: 'release-info' },
          h('h2', {}, t('stats.release', { from: rel.from, to: rel.to })),
          h('p', {}, rel.national ? t('stats.national') : t('stats.offices', { offices: rel.offices.join(', ') }),
            ' · ', t('stats.generated', { at: when(rel.generated_at), asOf: rel.as_of })),
          h('p', { class: 'legend' }, t('stats.legend', { threshold: String(rel.threshold) }),
            rel.method === 'round5' ? ` ${t('stats.legendRounded')}` : '',
            rel.sensitive_suppressed ? ` ${t('stats.legendSensitive')}` : ''),
          r.notes.length ? h('ul', { class: 'notes' }, ...r.notes.map((n) => h('li', {}, n))) : null),
        ...figures,
        ...r.durations.map((d) => figure(`${titleOf(d)} (${d.unit})`, null, durationTable(d))),
        ...r.rates.map((x) => figure(titleOf(x), null, rateTable(x))));
      // The CSV of the same query (the server audits it as a release too).
      try {
        const blob = await api.fetchBlob(`/api/v1/stats/release?${query()}&format=csv`);
        csv.href = blobUrl(blob);
        csv.hidden = false;
      } catch (e) {
        if (!sessionEnded(e)) error.textContent = errorText(e);
      }
      const { barChart } = await import('./charts');
      for (const [canvas, tb] of drawn) charts.push(barChart(canvas, tb));
      out.dataset['charts'] = String(drawn.length);
    }

    shell.setReload(() => void load());
    const form = h('form', { class: 'stats-form', novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void load(); } },
      h('div', { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'stats-from' }, t('stats.from')), from),
        h('div', { class: 'field' }, h('label', { for: 'stats-to' }, t('stats.to')), to),
        h('div', { class: 'field' }, h('label', { for: 'stats-offices' }, t('stats.officesLabel')), offices,
          h('span', { id: 'stats-offices-hint', class: 'hint' }, t('stats.officesHint'))),
        h('div', { class: 'field' }, h('label', { for: 'stats-method' }, t('stats.method')), method),
        h('div', { class: 'field' }, h('label', { for: 'stats-threshold' }, t('stats.threshold')), threshold)),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('stats.compute')), csv));
    return h('section', { id: 'stats' }, h('h1', {}, t('stats.title')), form, error, out);
  },
};
