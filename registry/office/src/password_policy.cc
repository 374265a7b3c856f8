#include "puente/registry/password_policy.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <unordered_set>

#include "absl/status/statusor.h"
#include "puente/common/strings.h"

namespace puente::registry {
namespace {

constexpr size_t kMinLength = 10, kMaxLength = 256, kMinDistinct = 5;
// Cores shorter than this are not looked up: "ab1234567890" is not refused
// for holding the word "ab".
constexpr size_t kMinWordLength = 3;

absl::Status Weak(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(puente::StrCat(field, ": ", why));
}

// Lowercase letters only; with `substitutions`, common ones undone first.
std::string Core(std::string_view s, bool substitutions = true) {
  std::string out;
  for (char c : s) {
    if (substitutions) switch (c) {
        case '0':
          c = 'o';
          break;
        case '1':
        case '!':
          c = 'l';
          break;
        case '3':
          c = 'e';
          break;
        case '4':
        case '@':
          c = 'a';
          break;
        case '5':
        case '$':
          c = 's';
          break;
        case '7':
          c = 't';
          break;
        default:
          break;
      }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') out += c;
  }
  return out;
}

// The dictionary's words (lowercased, letters only), or the failure to read it.
const absl::StatusOr<std::unordered_set<std::string>>& Dictionary() {
  static const auto* const kWords = [] {
    const std::string path = PasswordDictionaryPath();
    std::ifstream in(path);
    if (!in) {
      return new absl::StatusOr<std::unordered_set<std::string>>(absl::FailedPreconditionError(
          puente::StrCat("the common-password dictionary ", path,
                         " cannot be read (install Debian's cracklib-runtime, as "
                         "scripts/setup.sh does, or set PUENTE_PASSWORD_DICTIONARY)")));
    }
    std::unordered_set<std::string> words;
    std::string line;
    while (std::getline(in, line)) {
      std::string w = Core(line);
      if (w.size() >= kMinWordLength) words.insert(std::move(w));
    }
    return new absl::StatusOr<std::unordered_set<std::string>>(std::move(words));
  }();
  return *kWords;
}

// `s` is `unit` written one or more times.
bool RepeatsOf(std::string_view s, std::string_view unit) {
  if (unit.empty() || s.size() % unit.size() != 0) return false;
  for (size_t i = 0; i < s.size(); i += unit.size()) {
    if (s.substr(i, unit.size()) != unit) return false;
  }
  return true;
}

// The shortest unit `s` repeats (s itself when it repeats nothing).
std::string_view Period(std::string_view s) {
  for (size_t n = 1; n <= s.size() / 2; ++n) {
    if (RepeatsOf(s, s.substr(0, n))) return s.substr(0, n);
  }
  return s;
}

bool IsSequenceRun(std::string_view password) {
  std::string lower;
  for (char c : password) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  static const std::string kRuns[] = {"01234567890123456789",
                                      "98765432109876543210",
                                      "abcdefghijklmnopqrstuvwxyz",
                                      "zyxwvutsrqponmlkjihgfedcba",
                                      "qwertyuiopasdfghjklzxcvbnm",
                                      "mnbvcxzlkjhgfdsapoiuytrewq",
                                      "qwertzuiop",
                                      "azertyuiop",
                                      "1qaz2wsx3edc4rfv5tgb6yhn"};
  for (const std::string& run : kRuns) {
    if (run.find(lower) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string PasswordDictionaryPath() {
  const char* env = std::getenv("PUENTE_PASSWORD_DICTIONARY");
  return env != nullptr && *env != '\0' ? env : "/usr/share/dict/cracklib-small";
}

absl::Status CheckNewPassword(std::string_view field, std::string_view user_name,
                              std::string_view password) {
  if (password.size() < kMinLength) return Weak(field, "at least 10 characters");
  if (password.size() > kMaxLength) return Weak(field, "at most 256 characters");
  if (std::set<char>(password.begin(), password.end()).size() < kMinDistinct) {
    return Weak(field, "needs at least 5 different characters");
  }
  if (password.find_first_not_of("0123456789") == std::string_view::npos) {
    return Weak(field, "must not be only digits");
  }
  if (IsSequenceRun(password)) return Weak(field, "must not be a run of the keyboard or alphabet");
  // The password read three ways: digits and symbols dropped ("Password123!"
  // -> password); substitutions undone ("p4ssw0rd" -> password); and both,
  // after cutting digits and symbols off the ends ("P@ssw0rd2024" -> password).
  const std::string_view letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string_view inner = password;
  const size_t first = password.find_first_of(letters), last = password.find_last_of(letters);
  inner = first == std::string_view::npos ? std::string_view()
                                          : password.substr(first, last - first + 1);
  const std::string cores[] = {Core(password, false), Core(password), Core(inner)};
  const std::string name = Core(user_name);
  const std::string reversed(name.rbegin(), name.rend());
  const auto& words = Dictionary();
  if (!words.ok()) return words.status();
  for (const std::string& core : cores) {
    const std::string unit(Period(core));
    if (name.size() >= kMinWordLength && (unit == name || unit == reversed)) {
      return Weak(field, "must not be the user's name");
    }
    if (unit.size() >= kMinWordLength && words->count(unit) > 0) {
      return Weak(field, "is a common word or password (cracklib dictionary)");
    }
  }
  return absl::OkStatus();
}

}  // namespace puente::registry
