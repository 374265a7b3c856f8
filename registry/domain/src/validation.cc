#include "puente/registry/validation.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdio>

#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "puente/common/error_detail.h"
#include "puente/common/strings.h"
#include "puente/common/text.h"

namespace puente::registry {
namespace internal {
bool IsSortedCountry(std::string_view c);
bool IsSortedLanguage(std::string_view c);
}  // namespace internal

namespace {

// InvalidArgument "FIELD: WHAT", the field also as a typed detail.
absl::Status Invalid(std::string_view field, std::string_view what) {
  return WithDetail(absl::InvalidArgumentError(puente::StrCat(field, ": ", what)), kDetailField,
                    field);
}

// Quotes user input in messages, cut to a readable length.
std::string Quote(std::string_view v) {
  if (v.size() > 40) return puente::StrCat("'", v.substr(0, 37), "...'");
  return puente::StrCat("'", v, "'");
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// "U+202E RIGHT-TO-LEFT OVERRIDE" (the name from ICU, when it has one).
std::string CodePointName(UChar32 c) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
  char name[128];
  UErrorCode err = U_ZERO_ERROR;
  const int32_t n = u_charName(c, U_UNICODE_CHAR_NAME, name, sizeof name, &err);
  if (U_FAILURE(err) || n <= 0) return hex;
  return puente::StrCat(hex, " ", std::string_view(name, static_cast<size_t>(n)));
}

absl::Status CheckText(std::string_view field, std::string_view value, size_t max_len) {
  // Measured in bytes first: a value far over the limit is refused unread.
  if (value.size() > 4 * max_len) {
    return Invalid(field, puente::StrCat("is over ", max_len, " characters long (", value.size(),
                                         " bytes), the limit is ", max_len));
  }
  const auto len = Utf8Length(value);
  if (!len) return Invalid(field, "is not valid UTF-8");
  if (auto s = CheckDisplayedText(field, value); !s.ok()) return s;
  if (*len > max_len) {
    return Invalid(field, puente::StrCat("is ", *len, " characters long, the limit is ", max_len));
  }
  return absl::OkStatus();
}

// Parses "YYYY-MM-DD" strictly into a civil day; nullopt if not a real date.
std::optional<absl::CivilDay> ParseIsoDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!AllDigits(t.substr(0, 4)) || !AllDigits(t.substr(5, 2)) || !AllDigits(t.substr(8, 2))) {
    return std::nullopt;
  }
  const int y = std::stoi(std::string(t.substr(0, 4)));
  const int m = std::stoi(std::string(t.substr(5, 2)));
  const int d = std::stoi(std::string(t.substr(8, 2)));
  const absl::CivilDay day(y, m, d);  // normalises out-of-range fields
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day;
}

}  // namespace

absl::Status CheckCount(std::string_view field, size_t count, size_t max, std::string_view items) {
  if (count <= max) return absl::OkStatus();
  return Invalid(field, puente::StrCat(count, " ", items, ", the limit is ", max));
}

absl::Status CheckDisplayedText(std::string_view field, std::string_view value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  const auto length = static_cast<int32_t>(value.size());
  if (value.size() > static_cast<size_t>(INT32_MAX)) return Invalid(field, "is too long");
  int32_t i = 0;
  size_t position = 0;  // 1-based code point index, for the message
  while (i < length) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    ++position;
    if (c < 0) return Invalid(field, "is not valid UTF-8");
    const int8_t type = u_charType(c);
    if (type == U_CONTROL_CHAR) {
      return Invalid(field, puente::StrCat("contains control characters (", CodePointName(c),
                                           " at character ", position, ")"));
    }
    if (type == U_FORMAT_CHAR || type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR) {
      return Invalid(field, puente::StrCat("contains the invisible character ", CodePointName(c),
                                           " at character ", position,
                                           "; format, direction and zero-width characters are "
                                           "not allowed in displayed text"));
    }
  }
  return absl::OkStatus();
}

bool IsCountryCode(std::string_view alpha3_upper) {
  return internal::IsSortedCountry(alpha3_upper);
}
bool IsLanguageCode(std::string_view lower) { return internal::IsSortedLanguage(lower); }

absl::StatusOr<std::string> ValidateNamePart(std::string_view field, std::string_view value,
                                             bool required) {
  if (auto s = CheckText(field, value, kMaxNameLength); !s.ok()) return s;
  std::string v = CollapseWhitespace(value);
  if (v.empty()) {
    if (required) return Invalid(field, "is required");
    return v;
  }
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;  // non-ASCII letters (accents, other scripts)
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '-' ||
                    c == '\'' || c == '.' || c == ',';
    if (!ok) {
      return Invalid(field, puente::StrCat("contains '", std::string(1, c),
                                           "'; names hold letters, spaces and - ' . , only"));
    }
  }
  return v;
}

absl::StatusOr<std::string> ValidateFreeText(std::string_view field, std::string_view value,
                                             size_t max_len, bool required) {
  if (auto s = CheckText(field, value, max_len); !s.ok()) return s;
  std::string v = CollapseWhitespace(value);
  if (v.empty() && required) return Invalid(field, "is required");
  return v;
}

absl::Status ValidateCalendarDate(std::string_view field, std::string_view text) {
  if (!ParseIsoDate(text)) {
    return Invalid(field, puente::StrCat(Quote(text), " is not a date (expected YYYY-MM-DD)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DateOfBirth> ParseDateOfBirth(std::string_view text, DatePrecision precision,
                                             absl::Time now, std::string_view kField) {
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  DateOfBirth dob;
  dob.precision = precision;
  if (precision == DatePrecision::kYearOnly) {
    if (text.size() != 4 || !AllDigits(text)) {
      return Invalid(kField, puente::StrCat(Quote(text), " is not a year (expected YYYY)"));
    }
    dob.year = std::stoi(std::string(text));
    if (dob.year > today.year()) return Invalid(kField, puente::StrCat(text, " is in the future"));
  } else {
    const auto day = ParseIsoDate(text);
    if (!day) {
      return Invalid(kField, puente::StrCat(Quote(text), " is not a date (expected YYYY-MM-DD)"));
    }
    if (*day > today) return Invalid(kField, puente::StrCat(text, " is in the future"));
    dob.year = static_cast<int>(day->year());
    dob.month = day->month();
    dob.day = day->day();
  }
  if (dob.year < 1900) return Invalid(kField, puente::StrCat(text, " is before 1900"));
  return dob;
}

absl::StatusOr<std::string> ValidateNationality(std::string_view field, std::string_view code) {
  const std::string c = AsciiUpper(code);
  if (c == "XXA" || c == "XXX" || (c.size() == 3 && IsCountryCode(c))) return c;
  if (c.empty()) return Invalid(field, "is required (XXA for stateless, XXX if undetermined)");
  return Invalid(field, puente::StrCat(Quote(code),
                                       " is not an ISO 3166-1 alpha-3 code (XXA for stateless, "
                                       "XXX if undetermined)"));
}

absl::StatusOr<std::string> ValidateLanguage(std::string_view code) {
  std::string c(code);
  for (char& ch : c) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  if ((c.size() == 2 || c.size() == 3) && IsLanguageCode(c)) return c;
  return Invalid("languages", puente::StrCat(Quote(code), " is not an ISO 639 language code"));
}

absl::StatusOr<std::string> ValidatePhone(std::string_view phone) {
  if (phone.size() > kMaxPhoneInputLength) {
    return Invalid("phone", puente::StrCat("is ", phone.size(), " characters long, the limit is ",
                                           kMaxPhoneInputLength));
  }
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return Invalid("phone", puente::StrCat(Quote(phone), " contains '", std::string(1, c), "'"));
    }
  }
  if (digits.empty() && !plus) return std::string();
  if (!plus) {
    return Invalid("phone",
                   puente::StrCat(Quote(phone), " needs its country code, e.g. +507 6123 4567"));
  }
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
    return Invalid("phone", puente::StrCat(Quote(phone), " is not an E.164 number"));
  }
  return "+" + digits;
}

absl::StatusOr<IdentityDocument> ValidateDocument(IdentityDocument doc) {
  if (doc.number.size() > kMaxCodeInputLength) {
    return Invalid("documents.number",
                   puente::StrCat("is ", doc.number.size(), " characters long, the limit is ",
                                  kMaxCodeInputLength));
  }
  if (doc.expiry_date.size() > kMaxCodeInputLength) {
    return Invalid("documents.expiry_date", "is not a date (expected YYYY-MM-DD)");
  }
  auto country = ValidateNationality("documents.issuing_country", doc.issuing_country);
  if (!country.ok()) return country.status();
  doc.issuing_country = *country;
  std::string n;
  for (char c : doc.number) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return Invalid("documents.number", "may hold only letters A-Z, digits, spaces and hyphens");
    }
    n.push_back(c);
  }
  if (n.size() < 3 || n.size() > 30) {
    return Invalid("documents.number", "must have 3 to 30 letters or digits");
  }
  doc.number = n;
  if (!doc.expiry_date.empty()) {
    if (auto s = ValidateCalendarDate("documents.expiry_date", doc.expiry_date); !s.ok()) return s;
  }
  return doc;
}

absl::Status ValidateOfficeCode(std::string_view code) {
  if (code.size() != 3 || !AllDigits(code) || code == "000") {
    return Invalid("office", puente::StrCat(Quote(code), " is not a 3-digit office code"));
  }
  return absl::OkStatus();
}

absl::Status ValidateUserName(std::string_view field, std::string_view name) {
  if (name.empty() || name.size() > 64) return Invalid(field, "must be 1 to 64 characters");
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return Invalid(field, "may hold only a-z 0-9 . _ -");
  }
  return absl::OkStatus();
}

absl::StatusOr<NewApplicant> ValidateNewApplicant(NewApplicant in, absl::Time now) {
  std::vector<std::string> errors;
  auto take = [&errors](const absl::Status& s) {
    if (!s.ok()) errors.emplace_back(s.message());
  };
  auto name = [&](std::string_view field, std::string& v, bool required) {
    auto r = ValidateNamePart(field, v, required);
    take(r.status());
    if (r.ok()) v = *r;
  };
  name("given_names", in.given_names, true);
  name("surname1", in.surname1, false);
  name("surname2", in.surname2, false);
  if (in.surname1.empty() && !in.surname2.empty()) {
    errors.push_back("surname2: set surname1 first (a single surname goes in surname1)");
  }
  // Re-check the date: callers may build DateOfBirth directly.
  {
    auto dob = ParseDateOfBirth(in.date_of_birth.ToString(), in.date_of_birth.precision, now);
    take(dob.status());
  }
  if (auto n = ValidateNationality("nationality", in.nationality); n.ok()) {
    in.nationality = *n;
  } else {
    take(n.status());
  }
  if (auto p = ValidateFreeText("place_of_birth", in.place_of_birth, kMaxPlaceLength, false);
      p.ok()) {
    in.place_of_birth = *p;
  } else {
    take(p.status());
  }
  // Over a limit, the list is refused before its items are read.
  take(CheckCount("languages", in.languages.size(), kMaxLanguages, "languages"));
  if (in.languages.size() > kMaxLanguages) in.languages.clear();
  take(CheckCount("documents", in.documents.size(), kMaxDocuments, "documents"));
  if (in.documents.size() > kMaxDocuments) in.documents.clear();
  for (std::string& lang : in.languages) {
    auto l = ValidateLanguage(lang);
    take(l.status());
    if (l.ok()) lang = *l;
  }
  if (auto p = ValidatePhone(in.phone); p.ok()) {
    in.phone = *p;
  } else {
    take(p.status());
  }
  if (auto a = ValidateFreeText("address", in.address, kMaxAddressLength, false); a.ok()) {
    in.address = *a;
  } else {
    take(a.status());
  }
  for (IdentityDocument& d : in.documents) {
    auto v = ValidateDocument(d);
    take(v.status());
    if (v.ok()) d = *v;
  }
  take(ValidateOfficeCode(in.office_code));
  take(ValidateUserName("officer", in.officer));
  const bool principal = in.relationship == Relationship::kPrincipal;
  if (in.case_number.empty() && !principal) {
    errors.push_back("relationship: a dependant needs the case number of the principal");
  }
  if (!in.case_number.empty() && principal) {
    errors.push_back(
        "relationship: the case already has a principal; give the relationship "
        "to the principal");
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return in;
}

}  // namespace puente::registry
