// An applicant's recorded data as label/value rows, in the user's language,
// for the review's side-by-side table and the person screen.
import type { Applicant } from './api';
import { Key, t, tMaybe } from './i18n';

export interface Row {
  field: string;
  label: string;
  value: string;
}

export function nationalityText(code: string): string {
  if (!code) return t('value.none');
  const name = tMaybe(`nationality.${code}`) ?? tMaybe(`country.${code}`);
  return name ? `${name} (${code})` : code;
}

function dob(a: Applicant): string {
  if (!a.date_of_birth) return t('value.none');
  const p = a.date_of_birth_precision ?? 'exact';
  return p === 'exact' ? a.date_of_birth : `${a.date_of_birth} (${t(`precision.${p}` as Key)})`;
}

export function fullName(a: Pick<Applicant, 'given_names' | 'surname1' | 'surname2'>): string {
  return [a.given_names, a.surname1, a.surname2].filter((s) => s).join(' ');
}

// The rows compared side by side, in this order.
export function applicantRows(a: Applicant): Row[] {
  const none = t('value.none');
  const row = (field: string, value: string | undefined): Row => ({
    field,
    label: t(`field.${field}` as Key),
    value: value ? value : none,
  });
  return [
    row('given_names', a.given_names),
    row('surname1', a.surname1),
    row('surname2', a.surname2),
    row('sex', a.sex ? t(`sex.${a.sex}` as Key) : ''),
    row('date_of_birth', dob(a)),
    row('nationality', nationalityText(a.nationality ?? '')),
    row('place_of_birth', a.place_of_birth),
    row('languages', (a.languages ?? []).join(', ')),
    row('phone', a.phone),
    row('address', a.address),
    row(
      'documents',
      (a.documents ?? [])
        .map((d) => `${tMaybe(`doc.${d.type}`) ?? d.type} ${d.issuing_country} ${d.number}`)
        .join('; '),
    ),
    row('case_number', a.case_number),
    row('relationship', a.relationship ? tMaybe(`rel.${a.relationship}`) ?? a.relationship : ''),
    row('office', a.office),
  ];
}

// The server's duplicate-candidate reasons (English phrases from the
// registry's demographic match and fusion) in the user's language.
const reasonPatterns: [RegExp, Key][] = [
  [/^face similarity ([0-9.]+)$/, 'reason.face'],
  [/^same (\w+) (\w+) (\S+)$/, 'reason.document'],
  [/^surnames swapped$/, 'reason.surnames_swapped'],
  [/^one surname omitted$/, 'reason.surname_omitted'],
  [/^same surnames$/, 'reason.same_surnames'],
  [/^surnames spelled alike$/, 'reason.surnames_alike'],
  [/^given names match, one omitted$/, 'reason.given_omitted'],
  [/^same given names$/, 'reason.same_given'],
  [/^given names spelled alike$/, 'reason.given_alike'],
  [/^different sex recorded$/, 'reason.sex_differs'],
  [/^same date of birth$/, 'reason.same_dob'],
  [/^date of birth with day and month swapped$/, 'reason.dob_swapped'],
  [/^dates of birth (\d+) days apart$/, 'reason.dob_days'],
  [/^dates of birth within a year$/, 'reason.dob_year'],
  [/^same birth year \(estimated date\)$/, 'reason.same_year'],
  [/^birth years (\d+) apart \(estimated date\)$/, 'reason.years_apart'],
];

export function reasonText(r: string): string {
  for (const [re, key] of reasonPatterns) {
    const m = re.exec(r);
    if (!m) continue;
    if (key === 'reason.document') {
      return t(key, { type: tMaybe(`doc.${m[1]}`) ?? m[1], country: m[2], number: m[3] });
    }
    return t(key, { n: m[1] ?? '' });
  }
  return r;
}
