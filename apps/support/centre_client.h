// The HTTP client of the centre's service (`puente kit push|pull`,
// `puente-verify update`):
// one connection setup and the one place that turns a failed call (no
// answer, or an HTTP refusal) into a status with the right exit code.
#ifndef PUENTE_APPS_SUPPORT_CENTRE_CLIENT_H_
#define PUENTE_APPS_SUPPORT_CENTRE_CLIENT_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace puente::apps {

struct CentreClientOptions {
  std::string server;   // --server, e.g. https://registro.example:8443
  std::string ca_cert;  // --ca-cert: PEM of the centre's TLS CA; empty: the system's
  int connect_timeout_seconds = 10;
  int read_timeout_seconds = 120;
  std::optional<int> write_timeout_seconds;  // unset: httplib's default
  // How a failed call reads: with no answer,
  //   "<server>: no answer (<error>); <no_answer_advice>"  (Unavailable);
  // when the centre refuses,
  //   "the centre refused<refused_what> (<status>): <its error message>"
  // with PermissionDenied for 403, InvalidArgument for 400, else Unavailable.
  std::string no_answer_advice;
  std::string refused_what;  // e.g. " the pull"; empty for a bare "the centre refused"
};

// Not thread-safe: one command's calls, one after another.
class CentreClient {
 public:
  // InvalidArgument "--server: not an http(s) URL" when the server cannot be
  // parsed as one. Nothing is sent yet.
  static absl::StatusOr<std::unique_ptr<CentreClient>> Connect(CentreClientOptions options);
  ~CentreClient();

  // Sends the request and returns the body of the answer when its HTTP
  // status is one of `accepted`; otherwise the failure as described above.
  absl::StatusOr<std::string> Get(const std::string& path, std::initializer_list<int> accepted);
  absl::StatusOr<std::string> Post(const std::string& path, const std::string& body,
                                   const std::string& content_type,
                                   std::initializer_list<int> accepted);
  absl::StatusOr<std::string> Put(const std::string& path, const std::string& body,
                                  const std::string& content_type,
                                  std::initializer_list<int> accepted);

 private:
  CentreClient(CentreClientOptions options, std::unique_ptr<httplib::Client> http);
  CentreClientOptions options_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace puente::apps

#endif  // PUENTE_APPS_SUPPORT_CENTRE_CLIENT_H_
