#include "puente/registry/demographic_match.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <set>

#include "absl/strings/str_format.h"

namespace puente::registry {
namespace {

// Particles that people keep or drop when they give their names.
constexpr std::array<std::string_view, 22> kParticles{
    "de", "del", "la",  "las", "los", "y",  "e",  "da",  "das", "do",  "dos",
    "di", "van", "von", "der", "den", "al", "el", "bin", "ben", "ibn", "bint"};

bool IsParticle(std::string_view t) {
  return std::find(kParticles.begin(), kParticles.end(), t) != kParticles.end();
}

// One transliterator per thread: ICU transliterators are not to be shared
// between threads while they run.
icu::Transliterator* Folder() {
  thread_local std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> tr(icu::Transliterator::createInstance(
        "NFC; Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(tr) : nullptr;
  }();
  return t.get();
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

double TokenSimilarity(const std::string& a, const std::string& b) {
  if (a == b) return 1.0;
  double s = JaroWinkler(a, b);
  if (PhoneticKey(a) == PhoneticKey(b)) s = std::max(s, 0.93);
  // An initial for a name: "j" and "juan".
  if ((a.size() == 1 || b.size() == 1) && a[0] == b[0]) s = std::max(s, 0.85);
  return s;
}

// Average, over the tokens of the shorter list, of each one's best match in
// the other; `omitted` tells whether the lists differ in length.
double SetSimilarity(const std::vector<std::string>& a, const std::vector<std::string>& b,
                     bool* omitted) {
  *omitted = a.size() != b.size();
  if (a.empty() || b.empty()) return 0;
  const auto& small = a.size() <= b.size() ? a : b;
  const auto& large = a.size() <= b.size() ? b : a;
  double sum = 0;
  for (const auto& t : small) {
    double best = 0;
    for (const auto& u : large) best = std::max(best, TokenSimilarity(t, u));
    sum += best;
  }
  return sum / small.size();
}

std::string DocumentKey(const IdentityDocument& d) {
  return absl::StrFormat("%s:%s:%s", ToString(d.type), d.issuing_country, d.number);
}

int DayNumber(const DateOfBirth& d) {  // days since 0000-03-01, for differences
  int y = d.year, m = d.month == 0 ? 7 : d.month, day = d.day == 0 ? 1 : d.day;
  if (m <= 2) {
    --y;
    m += 12;
  }
  return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + day;
}

double DobScore(const DateOfBirth& a, const DateOfBirth& b, std::vector<std::string>* reasons) {
  if (a.year == 0 || b.year == 0) return 0;
  const bool both_exact =
      a.precision == DatePrecision::kExact && b.precision == DatePrecision::kExact;
  if (both_exact) {
    if (a == b) {
      reasons->push_back("same date of birth");
      return 1.0;
    }
    if (a.year == b.year && a.month == b.day && a.day == b.month) {
      reasons->push_back("date of birth with day and month swapped");
      return 0.85;
    }
    const int days = std::abs(DayNumber(a) - DayNumber(b));
    if (days <= 31) {
      reasons->push_back(absl::StrFormat("dates of birth %d days apart", days));
      return 0.75;
    }
    if (days <= 366) {
      reasons->push_back("dates of birth within a year");
      return 0.5;
    }
    return 0;
  }
  // An estimated or year-only date: compare years with tolerance.
  const int years = std::abs(a.year - b.year);
  if (years > 2) return 0;
  reasons->push_back(years == 0 ? "same birth year (estimated date)"
                                : absl::StrFormat("birth years %d apart (estimated date)", years));
  return 0.9 - 0.15 * years;
}

}  // namespace

std::string FoldName(std::string_view name) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  if (icu::Transliterator* t = Folder()) t->transliterate(u);
  std::string s;
  u.toUTF8String(s);
  std::string out;
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!out.empty() && out.back() != ' ' && c != '\'') {
      out.push_back(' ');  // hyphens, dots, spaces; apostrophes join (O'Brien)
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> NameTokens(std::string_view name) {
  std::vector<std::string> out;
  const std::string folded = FoldName(name);
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    std::string t = folded.substr(start, end - start);
    if (!t.empty() && !IsParticle(t)) out.push_back(std::move(t));
    start = end + 1;
  }
  return out;
}

std::string PhoneticKey(std::string_view token) {
  // Spellings that sound alike in Spanish, and common transliteration pairs.
  std::string s;
  for (size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    const char next = i + 1 < token.size() ? token[i + 1] : '\0';
    if (c == 'p' && next == 'h') {
      s += 'f';
      ++i;
      continue;
    }
    if (c == 'q' && next == 'u') {
      s += 'k';
      ++i;
      continue;
    }
    if (c == 'c' && next == 'h') {
      s += 'x';
      ++i;
      continue;
    }  // ch
    if (c == 's' && next == 'h') {
      s += 'x';
      ++i;
      continue;
    }  // sh ~ ch
    if (c == 'k' && next == 'h') {
      s += 'j';
      ++i;
      continue;
    }  // kh ~ j
    if (c == 'l' && next == 'l') {
      s += 'i';
      ++i;
      continue;
    }  // ll ~ y
    if (c == 'c') {
      s += (next == 'e' || next == 'i') ? 's' : 'k';
      continue;
    }
    if (c == 'g' && (next == 'e' || next == 'i')) {
      s += 'j';
      continue;
    }
    switch (c) {
      case 'z':
        s += 's';
        break;
      case 'v':
        s += 'b';
        break;
      case 'w':
        s += 'u';
        break;
      case 'y':
        s += 'i';
        break;
      case 'h':
        break;  // silent in Spanish; dropped in transliterations
      default:
        s += c;
    }
  }
  if (s.empty()) return s;
  // First letter, then consonants only, without repeats.
  std::string key(1, s[0]);
  for (size_t i = 1; i < s.size(); ++i) {
    if (IsVowel(s[i])) continue;
    if (key.back() != s[i]) key += s[i];
  }
  return key;
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const int window = std::max(0, static_cast<int>(std::max(a.size(), b.size())) / 2 - 1);
  std::vector<bool> ma(a.size()), mb(b.size());
  int matches = 0;
  for (int i = 0; i < static_cast<int>(a.size()); ++i) {
    const int lo = std::max(0, i - window);
    const int hi = std::min(static_cast<int>(b.size()) - 1, i + window);
    for (int j = lo; j <= hi; ++j) {
      if (!mb[j] && a[i] == b[j]) {
        ma[i] = mb[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  int transpositions = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = matches;
  const double jaro = (m / a.size() + m / b.size() + (m - transpositions / 2.0) / m) / 3.0;
  int prefix = 0;
  while (prefix < 4 && prefix < static_cast<int>(std::min(a.size(), b.size())) &&
         a[prefix] == b[prefix]) {
    ++prefix;
  }
  return jaro + prefix * 0.1 * (1 - jaro);
}

DemographicRecord DemographicsOf(const Applicant& a) {
  return {a.given_names, a.surname1,    a.surname2, a.date_of_birth,
          a.sex,         a.nationality, a.documents};
}

DemographicMatch CompareDemographics(const DemographicRecord& a, const DemographicRecord& b) {
  DemographicMatch m;
  for (const auto& da : a.documents) {
    for (const auto& db : b.documents) {
      if (da.type == db.type && da.issuing_country == db.issuing_country && !da.number.empty() &&
          da.number == db.number) {
        m.same_document = true;
        m.reasons.push_back(
            absl::StrFormat("same %s %s %s", ToString(da.type), da.issuing_country, da.number));
      }
    }
  }
  // Surnames as a set: swapped or one omitted still match.
  std::vector<std::string> sa = NameTokens(a.surname1), sb = NameTokens(b.surname1);
  for (auto& t : NameTokens(a.surname2)) sa.push_back(std::move(t));
  for (auto& t : NameTokens(b.surname2)) sb.push_back(std::move(t));
  bool surname_omitted = false;
  const double surnames = SetSimilarity(sa, sb, &surname_omitted);
  bool given_omitted = false;
  const double given =
      SetSimilarity(NameTokens(a.given_names), NameTokens(b.given_names), &given_omitted);
  m.name_score = (0.6 * surnames * (surname_omitted ? 0.95 : 1.0) +
                  0.4 * given * (given_omitted ? 0.95 : 1.0));
  if (surnames >= 0.9) {
    const auto a1 = NameTokens(a.surname1), b2 = NameTokens(b.surname2);
    const auto a2 = NameTokens(a.surname2), b1 = NameTokens(b.surname1);
    if (!a1.empty() && !a2.empty() && a1 == b2 && a2 == b1) {
      m.reasons.push_back("surnames swapped");
    } else if (surname_omitted) {
      m.reasons.push_back("one surname omitted");
    } else {
      m.reasons.push_back(surnames == 1.0 ? "same surnames" : "surnames spelled alike");
    }
  }
  if (given >= 0.9) {
    m.reasons.push_back(given_omitted
                            ? "given names match, one omitted"
                            : (given == 1.0 ? "same given names" : "given names spelled alike"));
  }
  m.dob_score = DobScore(a.date_of_birth, b.date_of_birth, &m.reasons);
  double score = 0.7 * m.name_score + 0.3 * m.dob_score;
  if (a.sex != Sex::kUnspecified && b.sex != Sex::kUnspecified && a.sex != b.sex) {
    score -= 0.1;
    m.reasons.push_back("different sex recorded");
  }
  if (!a.nationality.empty() && !b.nationality.empty() && a.nationality != b.nationality) {
    score -= 0.05;
  }
  if (m.same_document) score = std::max(score, 0.99);
  m.score = std::clamp(score, 0.0, 1.0);
  return m;
}

std::vector<std::string> MatchKeys(const DemographicRecord& r) {
  std::set<std::string> keys;
  for (const std::string* s : {&r.surname1, &r.surname2}) {
    for (const auto& t : NameTokens(*s)) keys.insert("sn:" + PhoneticKey(t));
  }
  for (const auto& d : r.documents) {
    if (!d.number.empty()) keys.insert("doc:" + DocumentKey(d));
  }
  return {keys.begin(), keys.end()};
}

}  // namespace puente::registry
