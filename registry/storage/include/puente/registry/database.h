// A database connection opened from a URL, for either dialect through SOCI.
//
//   sqlite:PATH                      embedded, one file (the default)
//   postgresql://USER:PASS@HOST:PORT/DBNAME?param=value
//
// SOCI 4.0 does not hand URIs to libpq, so the URL is translated into a
// libpq keyword string here. Messages show the URL with its password
// replaced by "***". A Database is not thread-safe: use one per thread.
#ifndef PUENTE_REGISTRY_DATABASE_H_
#define PUENTE_REGISTRY_DATABASE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace soci {
class session;
}  // namespace soci

namespace puente::registry {

class Database;
namespace internal {
// The SOCI session of `db`, for registry/ code (storage/internal/session.h).
soci::session& Session(Database& db);
}  // namespace internal

enum class Dialect { kSqlite, kPostgresql };

struct DatabaseUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string connect_string;  // SOCI backend connect string (holds the password)
  std::string redacted;        // safe to print

  // InvalidArgument("database url: ...") for anything else.
  static absl::StatusOr<DatabaseUrl> Parse(const std::string& url);
};

class Database {
 public:
  // Connects. Unavailable if the server cannot be reached or the file cannot
  // be opened. SQLite gets foreign keys on, WAL journal and a busy timeout.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& url);
  ~Database();

  Dialect dialect() const { return url_.dialect; }
  const std::string& redacted_url() const { return url_.redacted; }

 private:
  friend soci::session& internal::Session(Database& db);
  Database(DatabaseUrl url, std::unique_ptr<soci::session> s);
  DatabaseUrl url_;
  std::unique_ptr<soci::session> session_;
};

// A transaction that rolls back unless Commit() succeeds. SQLite transactions
// start IMMEDIATE (take the write lock up front) so that read-then-write
// sequences cannot deadlock between processes.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  absl::Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

// Runs `fn` inside a Transaction and commits if it returns OK; SOCI and
// standard exceptions are turned into statuses. Nothing is written unless
// the whole of `fn` succeeded.
absl::Status InTransaction(Database& db, const std::function<absl::Status()>& fn);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_DATABASE_H_
