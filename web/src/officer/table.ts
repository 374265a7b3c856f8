// A data table as the audit and users screens show one: a caption for
// screen readers, a header row of column names, the body's rows.
import { h } from '../common/dom';

export function dataTable(id: string, caption: string, columns: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    { id },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}
