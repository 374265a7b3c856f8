#include "puente/registry/users.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/crypto/password.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using internal::Tx;

constexpr std::array<std::string_view, 5> kRoles{"officer", "supervisor", "auditor", "admin",
                                                 "verifier"};

absl::Status WrongCredentials() {
  return absl::UnauthenticatedError("wrong user name or password");
}

std::string TokenDigest(std::string_view token) { return crypto::HexEncode(crypto::Sha256(token)); }

std::string Base64Url(std::string s) {
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

}  // namespace

std::string_view ToString(Role r) { return kRoles[static_cast<size_t>(r)]; }

std::optional<Role> ParseRole(std::string_view s) {
  for (size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i] == s) return static_cast<Role>(i);
  }
  return std::nullopt;
}

absl::StatusOr<User> UserDirectory::AddUser(const std::string& actor, const std::string& name,
                                            Role role, std::string_view password) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  PUENTE_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    int taken = 0;
    tx.sql() << "SELECT count(*) FROM users WHERE name = :n", soci::use(name), soci::into(taken);
    if (taken > 0) return absl::AlreadyExistsError(puente::StrCat("name: ", name, " exists"));
    const std::string now = FormatTimestamp(registry_.clock().Now());
    const std::string role_s(ToString(role));
    tx.sql() << "INSERT INTO users (name, role, password_hash, active, created_at, created_by) "
                "VALUES (:n, :r, :h, 1, :c, :b)",
        soci::use(name), soci::use(role_s), soci::use(hash), soci::use(now), soci::use(actor);
    return tx.Audit("user.create", "user", name, {{"role", role_s}});
  });
  if (!s.ok()) return s;
  return User{name, role, true};
}

absl::StatusOr<std::string> UserDirectory::Login(const std::string& name, std::string_view password,
                                                 absl::Duration ttl) {
  if (!ValidateUserName("name", name).ok()) return WrongCredentials();
  std::string token;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), name);
    std::string hash;
    int active = 0;
    tx.sql() << "SELECT password_hash, active FROM users WHERE name = :n", soci::use(name),
        soci::into(hash), soci::into(active);
    const bool known = tx.sql().got_data();
    // Hash even for an unknown user, so timing does not tell names apart.
    const bool ok = crypto::VerifyPassword(
        password, known ? std::string_view(hash)
                        : std::string_view("scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA"));
    if (!known || !ok || active != 1) return WrongCredentials();
    PUENTE_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::RandomBytes(32));
    token = Base64Url(crypto::Base64Encode(raw));
    const std::string digest = TokenDigest(token);
    const absl::Time now = registry_.clock().Now();
    const std::string created = FormatTimestamp(now), expires = FormatTimestamp(now + ttl);
    tx.sql() << "INSERT INTO sessions (token_sha256, user_name, created_at, expires_at) "
                "VALUES (:t, :u, :c, :e)",
        soci::use(digest), soci::use(name), soci::use(created), soci::use(expires);
    return tx.Audit("session.create", "user", name);
  });
  if (!s.ok()) return s;
  return token;
}

absl::StatusOr<User> UserDirectory::Authenticate(std::string_view token) {
  const absl::Status bad = absl::UnauthenticatedError("invalid or expired token");
  if (token.empty() || token.size() > 128) return bad;
  const std::string digest = TokenDigest(token);
  User u;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    std::string role, expires;
    int active = 0;
    internal::Session(registry_.database())
        << "SELECT u.name, u.role, u.active, s.expires_at FROM sessions s "
           "JOIN users u ON u.name = s.user_name WHERE s.token_sha256 = :t",
        soci::use(digest), soci::into(u.name), soci::into(role), soci::into(active),
        soci::into(expires);
    if (!internal::Session(registry_.database()).got_data() || active != 1) return bad;
    if (expires <= FormatTimestamp(registry_.clock().Now())) return bad;
    auto r = ParseRole(role);
    if (!r) return absl::DataLossError("stored role is unknown");
    u.role = *r;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return u;
}

absl::Status UserDirectory::Logout(std::string_view token) {
  const std::string digest = TokenDigest(token);
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    internal::Session(registry_.database()) << "DELETE FROM sessions WHERE token_sha256 = :t",
        soci::use(digest);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> UserDirectory::CountUsers() {
  int n = 0;
  absl::Status s = InTransaction(registry_.database(), [&]() -> absl::Status {
    internal::Session(registry_.database()) << "SELECT count(*) FROM users", soci::into(n);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace puente::registry
