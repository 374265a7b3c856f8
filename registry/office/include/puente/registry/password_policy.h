// The rule a new password must pass (docs/security.md, "Passwords"): at least
// 10 and at most 256 characters, at least 5 different characters, not only
// digits, not a run of a keyboard row or of the alphabet, not a common word
// of Debian's cracklib dictionary (/usr/share/dict/cracklib-small, package
// cracklib-runtime) once lowercased, stripped of everything but letters and
// with the usual substitutions undone (0->o, 1->l, 3->e, 4->a, 5->s, 7->t,
// @->a, $->s), nor such a word repeated, and not the user's name (same
// normalisation), reversed or repeated.
//
// Thread-safe: the dictionary is read once, on first use, and then shared.
#ifndef PUENTE_REGISTRY_PASSWORD_POLICY_H_
#define PUENTE_REGISTRY_PASSWORD_POLICY_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace puente::registry {

// The dictionary's path: $PUENTE_PASSWORD_DICTIONARY if set, else
// /usr/share/dict/cracklib-small.
std::string PasswordDictionaryPath();

// OK, or InvalidArgument "<field>: ..." saying which rule the password
// breaks (never echoing it). FailedPrecondition when the dictionary cannot be
// read (the check fails closed: no password is accepted unchecked).
absl::Status CheckNewPassword(std::string_view field, std::string_view user_name,
                              std::string_view password);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_PASSWORD_POLICY_H_
