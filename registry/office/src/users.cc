#include "puente/registry/users.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "puente/common/error_detail.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/crypto/password.h"
#include "puente/registry/password_policy.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/validation.h"
#include "storage/internal/tx.h"

namespace puente::registry {
namespace {

using internal::Tx;

constexpr std::array<std::string_view, 6> kRoles{"officer", "supervisor", "auditor",
                                                 "admin",   "verifier",   "analyst"};

// A well-formed hash that no password matches, checked for unknown names.
constexpr std::string_view kNoSuchUserHash = "scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA";

absl::Status WrongCredentials() {
  return absl::UnauthenticatedError("wrong user name or password");
}

absl::Status NoSuchUser(const std::string& name) {
  return absl::NotFoundError(puente::StrCat("name: no user ", name));
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

// Runs `sql` (with its uses bound by `bind`) and returns the rows it changed.
template <typename Bind>
int Changed(soci::session& sql, const std::string& text, Bind bind) {
  soci::statement st = (sql.prepare << text);
  bind(st);
  st.define_and_bind();
  st.execute(true);
  return static_cast<int>(st.get_affected_rows());
}

// The wait after the n-th failure of a subject throttled from `backoff_after`
// and locked at `lock_after` failures.
absl::Duration WaitAfter(int failures, int backoff_after, int lock_after) {
  if (failures >= lock_after) return kLockout;
  if (failures < backoff_after) return absl::ZeroDuration();
  return std::min(absl::Seconds(int64_t{1} << std::min(failures - backoff_after, 20)), kLockout);
}

// Counts one more failure of `subject` at `now` in the caller's transaction;
// the failures counted and when the subject may try again.
struct Failure {
  int failures = 0;
  absl::Time locked_until;
};
absl::StatusOr<Failure> RecordFailure(Tx& tx, const std::string& subject, absl::Time now,
                                      int backoff_after, int lock_after) {
  const std::string at = FormatTimestamp(now), window = FormatTimestamp(now - kFailureWindow);
  // One statement, so that two failures at once both count (the row is
  // locked by the update in PostgreSQL; SQLite has one writer).
  tx.sql() << "INSERT INTO login_throttle (subject, failures, last_failure, locked_until) "
              "VALUES (:s, 1, :a, :a2) ON CONFLICT (subject) DO UPDATE SET "
              "failures = CASE WHEN login_throttle.last_failure >= :w "
              "THEN login_throttle.failures + 1 ELSE 1 END, last_failure = :a3",
      soci::use(subject), soci::use(at), soci::use(at), soci::use(window), soci::use(at);
  Failure f;
  tx.sql() << "SELECT failures FROM login_throttle WHERE subject = :s", soci::use(subject),
      soci::into(f.failures);
  f.locked_until = now + WaitAfter(f.failures, backoff_after, lock_after);
  const std::string until = FormatTimestamp(f.locked_until);
  tx.sql() << "UPDATE login_throttle SET locked_until = :u WHERE subject = :s", soci::use(until),
      soci::use(subject);
  return f;
}

absl::Status Locked(absl::Duration left) {
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(left, absl::Seconds(1))));
  return WithDetail(absl::ResourceExhaustedError(
                        absl::StrFormat("too many failed logins: try again in %d s", seconds)),
                    kDetailReason, "login.locked");
}

// Serialises the changes that could leave no active admin (a role change,
// disabling an account): PostgreSQL's advisory lock, keyed by the schema;
// SQLite's write transactions hold the one write lock already. Taken first
// in the transaction, so what follows reads the other changes committed.
void LockAdminAccounts(Database& db, Tx& tx) {
  if (db.dialect() == Dialect::kPostgresql) {
    tx.sql() << "SELECT pg_advisory_xact_lock(7283642, hashtext(COALESCE(current_schema(), '')))";
  }
}

// FailedPrecondition when `name` is an active admin and no other is.
absl::Status KeepAnActiveAdmin(Tx& tx, const std::string& name, std::string_view field) {
  int is_active_admin = 0, others = 0;
  tx.sql() << "SELECT count(*) FROM users WHERE name = :n AND role = 'admin' AND active = 1",
      soci::use(name), soci::into(is_active_admin);
  if (is_active_admin == 0) return absl::OkStatus();
  tx.sql() << "SELECT count(*) FROM users WHERE name <> :n AND role = 'admin' AND active = 1",
      soci::use(name), soci::into(others);
  if (others > 0) return absl::OkStatus();
  return absl::FailedPreconditionError(puente::StrCat(
      field, ": ", name, " is the last active admin; make another user admin first"));
}

}  // namespace

std::string_view ToString(Role r) { return kRoles[static_cast<size_t>(r)]; }

std::optional<Role> ParseRole(std::string_view s) {
  for (size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i] == s) return static_cast<Role>(i);
  }
  return std::nullopt;
}

absl::StatusOr<std::string> UserDirectory::Subject(std::string_view kind,
                                                   std::string_view value) const {
  PUENTE_ASSIGN_OR_RETURN(std::string index,
                          registry_.keys().BlindIndex(puente::StrCat("login.", kind), value));
  return puente::StrCat(kind, ":", index);
}

absl::StatusOr<User> UserDirectory::AddUser(const std::string& actor, const std::string& name,
                                            Role role, std::string_view password) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  PUENTE_RETURN_IF_ERROR(CheckNewPassword("password", name, password));
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
                                                 const std::string& address, absl::Duration ttl) {
  PUENTE_ASSIGN_OR_RETURN(LoginAttempt attempt, PrepareLogin(name, address));
  return CompleteLogin(attempt, CheckPassword(attempt, password), ttl);
}

absl::StatusOr<UserDirectory::LoginAttempt> UserDirectory::PrepareLogin(
    const std::string& name, const std::string& address) {
  Database& db = registry_.database();
  LoginAttempt a;
  a.name = name;
  a.address = address;
  a.at = registry_.clock().Now();
  a.well_formed = ValidateUserName("name", name).ok();
  // What is throttled: the account (any well-formed name, known or not) and
  // the address.
  if (a.well_formed) {
    PUENTE_ASSIGN_OR_RETURN(a.user_subject, Subject("user", name));
  }
  if (!address.empty()) {
    PUENTE_ASSIGN_OR_RETURN(a.address_subject, Subject("addr", address));
  }
  std::string locked_until;
  int active = 0;
  PUENTE_RETURN_IF_ERROR(InReadTransaction(db, [&]() -> absl::Status {
    soci::session& sql = internal::Session(db);
    for (const std::string* subject : {&a.user_subject, &a.address_subject}) {
      if (subject->empty()) continue;
      std::string until;
      sql << "SELECT locked_until FROM login_throttle WHERE subject = :s", soci::use(*subject),
          soci::into(until);
      if (sql.got_data()) locked_until = std::max(locked_until, until);
    }
    if (a.well_formed) {
      sql << "SELECT password_hash, active FROM users WHERE name = :n", soci::use(name),
          soci::into(a.hash), soci::into(active);
      a.known = sql.got_data();
    }
    return absl::OkStatus();
  }));
  a.active = active == 1;
  if (!a.known) a.hash = std::string(kNoSuchUserHash);
  if (!locked_until.empty()) {
    auto until = ParseTimestamp(locked_until);
    if (until.ok() && *until > a.at) return Locked(*until - a.at);
  }
  return a;
}

bool UserDirectory::CheckPassword(const LoginAttempt& attempt, std::string_view password) {
  // Checked for unknown names too (against a hash of no password), so that
  // the time taken does not tell names apart.
  return crypto::VerifyPassword(password, attempt.hash) && attempt.known;
}

absl::StatusOr<std::string> UserDirectory::CompleteLogin(const LoginAttempt& a, bool password_ok,
                                                         absl::Duration ttl) {
  Database& db = registry_.database();
  const absl::Time now = a.at;
  const bool success = a.well_formed && a.known && password_ok && a.active;
  if (!success) {
    absl::Status recorded = InTransaction(db, [&]() -> absl::Status {
      // A failed login has no user: the event's actor is a fixed name.
      Tx tx(db, registry_.keys(), registry_.clock(), "login");
      nlohmann::json details{{"reason", !a.known       ? "unknown_user"
                                        : !password_ok ? "wrong_password"
                                                       : "disabled"}};
      if (!a.user_subject.empty()) {
        PUENTE_ASSIGN_OR_RETURN(Failure f, RecordFailure(tx, a.user_subject, now,
                                                         kAccountBackoffAfter, kAccountLockAfter));
        details["account_failures"] = f.failures;
        if (f.failures >= kAccountLockAfter) {
          details["account_locked_until"] = FormatTimestamp(f.locked_until);
        }
      }
      if (!a.address_subject.empty()) {
        PUENTE_ASSIGN_OR_RETURN(Failure f, RecordFailure(tx, a.address_subject, now,
                                                         kAddressBackoffAfter, kAddressLockAfter));
        details["address"] = a.address_subject.substr(0, 5 + 16);  // the blind index, shortened
        details["address_failures"] = f.failures;
        if (f.failures >= kAddressLockAfter) {
          details["address_locked_until"] = FormatTimestamp(f.locked_until);
        }
      }
      return tx.Audit("session.login_failed", "user", a.known ? a.name : "", details);
    });
    if (!recorded.ok()) return recorded;
    return WrongCredentials();
  }
  PUENTE_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::RandomBytes(32));
  std::string token = Base64Url(crypto::Base64Encode(raw));
  const std::string digest = TokenDigest(token);
  absl::Status s = InTransaction(db, [&]() -> absl::Status {
    Tx tx(db, registry_.keys(), registry_.clock(), a.name);
    const std::string created = FormatTimestamp(now), expires = FormatTimestamp(now + ttl);
    const std::string stale = FormatTimestamp(now - kFailureWindow);
    // A user disabled since PrepareLogin read the row gets no session.
    int active = 0;
    tx.sql() << "SELECT active FROM users WHERE name = :n", soci::use(a.name), soci::into(active);
    if (active != 1) return WrongCredentials();
    // Housekeeping: expired sessions, and counts no failure can extend.
    tx.sql() << "DELETE FROM sessions WHERE expires_at <= :n", soci::use(created);
    tx.sql() << "DELETE FROM login_throttle WHERE subject = :s OR (locked_until <= :n AND "
                "last_failure < :w)",
        soci::use(a.user_subject), soci::use(created), soci::use(stale);
    tx.sql() << "INSERT INTO sessions (token_sha256, user_name, created_at, expires_at) "
                "VALUES (:t, :u, :c, :e)",
        soci::use(digest), soci::use(a.name), soci::use(created), soci::use(expires);
    return tx.Audit("session.create", "user", a.name);
  });
  if (!s.ok()) return s;
  return token;
}

absl::StatusOr<User> UserDirectory::Authenticate(std::string_view token) {
  const absl::Status bad = absl::UnauthenticatedError("invalid or expired token");
  if (token.empty() || token.size() > 128) return bad;
  const std::string digest = TokenDigest(token);
  User u;
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
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
  absl::Status s = InReadTransaction(registry_.database(), [&]() -> absl::Status {
    internal::Session(registry_.database()) << "SELECT count(*) FROM users", soci::into(n);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

absl::Status UserDirectory::SetActive(const std::string& actor, const std::string& name,
                                      bool active) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  if (!active && actor == name) {
    return absl::FailedPreconditionError("name: you cannot disable your own account");
  }
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    if (!active) {
      LockAdminAccounts(registry_.database(), tx);
      PUENTE_RETURN_IF_ERROR(KeepAnActiveAdmin(tx, name, "name"));
    }
    const int flag = active ? 1 : 0;
    const int n =
        Changed(tx.sql(), "UPDATE users SET active = :a WHERE name = :n", [&](soci::statement& st) {
          st.exchange(soci::use(flag));
          st.exchange(soci::use(name));
        });
    if (n == 0) return NoSuchUser(name);
    int ended = 0;
    if (!active) {
      ended = Changed(tx.sql(), "DELETE FROM sessions WHERE user_name = :n",
                      [&](soci::statement& st) { st.exchange(soci::use(name)); });
    }
    return tx.Audit(active ? "user.enable" : "user.disable", "user", name,
                    {{"sessions_ended", ended}});
  });
}

absl::StatusOr<std::vector<UserAccount>> UserDirectory::ListUsers() {
  Database& db = registry_.database();
  std::vector<UserAccount> out;
  struct Throttle {
    int failures = 0;
    std::string last_failure, locked_until;
  };
  std::map<std::string, Throttle> throttles;  // by subject
  PUENTE_RETURN_IF_ERROR(InReadTransaction(db, [&]() -> absl::Status {
    soci::session& sql = internal::Session(db);
    UserAccount u;
    std::string role;
    int active = 0;
    soci::statement users =
        (sql.prepare << "SELECT name, role, active, created_at, created_by FROM users "
                        "ORDER BY name",
         soci::into(u.name), soci::into(role), soci::into(active), soci::into(u.created_at),
         soci::into(u.created_by));
    users.execute();
    while (users.fetch()) {
      auto r = ParseRole(role);
      if (!r) return absl::DataLossError("stored role is unknown");
      u.role = *r;
      u.active = active == 1;
      out.push_back(u);
    }
    std::string subject;
    Throttle t;
    soci::statement locks =
        (sql.prepare << "SELECT subject, failures, last_failure, locked_until FROM login_throttle "
                        "WHERE substr(subject, 1, 5) = 'user:'",
         soci::into(subject), soci::into(t.failures), soci::into(t.last_failure),
         soci::into(t.locked_until));
    locks.execute();
    while (locks.fetch()) throttles[subject] = t;
    return absl::OkStatus();
  }));
  const absl::Time now = registry_.clock().Now();
  const std::string now_s = FormatTimestamp(now), window = FormatTimestamp(now - kFailureWindow);
  for (UserAccount& u : out) {
    PUENTE_ASSIGN_OR_RETURN(std::string subject, Subject("user", u.name));
    auto it = throttles.find(subject);
    if (it == throttles.end()) continue;
    if (it->second.last_failure >= window) u.failed_logins = it->second.failures;
    if (it->second.locked_until > now_s) {
      u.locked = true;
      u.locked_until = it->second.locked_until;
    }
  }
  return out;
}

absl::Status UserDirectory::ChangeRole(const std::string& actor, const std::string& name,
                                       Role role) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  const std::string to(ToString(role));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    LockAdminAccounts(registry_.database(), tx);
    std::string from;
    tx.sql() << "SELECT role FROM users WHERE name = :n", soci::use(name), soci::into(from);
    if (!tx.sql().got_data()) return NoSuchUser(name);
    if (from == to) {
      return absl::FailedPreconditionError(puente::StrCat("role: ", name, " is already ", to));
    }
    if (role != Role::kAdmin) PUENTE_RETURN_IF_ERROR(KeepAnActiveAdmin(tx, name, "role"));
    tx.sql() << "UPDATE users SET role = :r WHERE name = :n", soci::use(to), soci::use(name);
    const int ended = Changed(tx.sql(), "DELETE FROM sessions WHERE user_name = :n",
                              [&](soci::statement& st) { st.exchange(soci::use(name)); });
    return tx.Audit("user.role_change", "user", name,
                    {{"from", from}, {"to", to}, {"sessions_ended", ended}});
  });
}

absl::Status UserDirectory::ChangeOwnPassword(std::string_view token,
                                              std::string_view current_password,
                                              std::string_view new_password) {
  PUENTE_ASSIGN_OR_RETURN(User u, Authenticate(token));
  std::string hash;
  PUENTE_RETURN_IF_ERROR(InReadTransaction(registry_.database(), [&]() -> absl::Status {
    internal::Session(registry_.database()) << "SELECT password_hash FROM users WHERE name = :n",
        soci::use(u.name), soci::into(hash);
    return absl::OkStatus();
  }));
  if (!crypto::VerifyPassword(current_password, hash)) {
    PUENTE_ASSIGN_OR_RETURN(std::string subject, Subject("user", u.name));
    const absl::Time now = registry_.clock().Now();
    PUENTE_RETURN_IF_ERROR(InTransaction(registry_.database(), [&]() -> absl::Status {
      Tx tx(registry_.database(), registry_.keys(), registry_.clock(), u.name);
      PUENTE_ASSIGN_OR_RETURN(
          Failure f, RecordFailure(tx, subject, now, kAccountBackoffAfter, kAccountLockAfter));
      return tx.Audit("user.password_change_failed", "user", u.name,
                      {{"reason", "wrong_password"}, {"account_failures", f.failures}});
    }));
    return absl::UnauthenticatedError("current_password: wrong password");
  }
  PUENTE_RETURN_IF_ERROR(CheckNewPassword("new_password", u.name, new_password));
  PUENTE_ASSIGN_OR_RETURN(std::string new_hash, crypto::HashPassword(new_password));
  const std::string keep = TokenDigest(token);
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), u.name);
    tx.sql() << "UPDATE users SET password_hash = :h WHERE name = :n", soci::use(new_hash),
        soci::use(u.name);
    const int ended =
        Changed(tx.sql(), "DELETE FROM sessions WHERE user_name = :n AND token_sha256 <> :t",
                [&](soci::statement& st) {
                  st.exchange(soci::use(u.name));
                  st.exchange(soci::use(keep));
                });
    return tx.Audit("user.password_change", "user", u.name, {{"sessions_ended", ended}});
  });
}

absl::Status UserDirectory::ResetPassword(const std::string& actor, const std::string& name,
                                          std::string_view new_password) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  PUENTE_RETURN_IF_ERROR(CheckNewPassword("new_password", name, new_password));
  PUENTE_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(new_password));
  PUENTE_ASSIGN_OR_RETURN(std::string subject, Subject("user", name));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    const int n = Changed(tx.sql(), "UPDATE users SET password_hash = :h WHERE name = :n",
                          [&](soci::statement& st) {
                            st.exchange(soci::use(hash));
                            st.exchange(soci::use(name));
                          });
    if (n == 0) return NoSuchUser(name);
    const int ended = Changed(tx.sql(), "DELETE FROM sessions WHERE user_name = :n",
                              [&](soci::statement& st) { st.exchange(soci::use(name)); });
    tx.sql() << "DELETE FROM login_throttle WHERE subject = :s", soci::use(subject);
    return tx.Audit("user.password_reset", "user", name, {{"sessions_ended", ended}});
  });
}

absl::StatusOr<int> UserDirectory::RevokeSessions(const std::string& actor,
                                                  const std::string& name) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  int ended = 0;
  PUENTE_RETURN_IF_ERROR(InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    int users = 0;
    tx.sql() << "SELECT count(*) FROM users WHERE name = :n", soci::use(name), soci::into(users);
    if (users == 0) return NoSuchUser(name);
    ended = Changed(tx.sql(), "DELETE FROM sessions WHERE user_name = :n",
                    [&](soci::statement& st) { st.exchange(soci::use(name)); });
    return tx.Audit("user.sessions_revoke", "user", name, {{"sessions_ended", ended}});
  }));
  return ended;
}

absl::Status UserDirectory::Unlock(const std::string& actor, const std::string& name) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  PUENTE_RETURN_IF_ERROR(ValidateUserName("name", name));
  PUENTE_ASSIGN_OR_RETURN(std::string subject, Subject("user", name));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    tx.sql() << "DELETE FROM login_throttle WHERE subject = :s", soci::use(subject);
    return tx.Audit("user.unlock", "user", name);
  });
}

absl::Status UserDirectory::UnlockAddress(const std::string& actor, const std::string& address) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  if (address.empty() || address.size() > 64) {
    return absl::InvalidArgumentError("address: an IP address is needed");
  }
  PUENTE_ASSIGN_OR_RETURN(std::string subject, Subject("addr", address));
  return InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    tx.sql() << "DELETE FROM login_throttle WHERE subject = :s", soci::use(subject);
    return tx.Audit("login.address_unlock", "address", subject.substr(0, 5 + 16));
  });
}

absl::StatusOr<int> UserDirectory::PurgeExpiredSessions(const std::string& actor) {
  PUENTE_RETURN_IF_ERROR(ValidateUserName("actor", actor));
  int purged = 0;
  PUENTE_RETURN_IF_ERROR(InTransaction(registry_.database(), [&]() -> absl::Status {
    Tx tx(registry_.database(), registry_.keys(), registry_.clock(), actor);
    const std::string now = FormatTimestamp(registry_.clock().Now());
    purged = Changed(tx.sql(), "DELETE FROM sessions WHERE expires_at <= :n",
                     [&](soci::statement& st) { st.exchange(soci::use(now)); });
    return tx.Audit("session.purge_expired", "session", "", {{"purged", purged}});
  }));
  return purged;
}

}  // namespace puente::registry
