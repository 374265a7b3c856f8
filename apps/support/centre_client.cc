#include "support/centre_client.h"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"

namespace puente::apps {
namespace {

// The failure of one call: no answer at all, or the centre's refusal with the
// message of its JSON error body ({"error": {"message": ...}}), else the raw body.
absl::Status Failure(const httplib::Result& res, const CentreClientOptions& o) {
  if (!res) {
    return absl::UnavailableError(absl::StrFormat(
        "%s: no answer (%s); %s", o.server, httplib::to_string(res.error()), o.no_answer_advice));
  }
  nlohmann::json e = nlohmann::json::parse(res->body, nullptr, false);
  const std::string msg =
      e.is_object() && e.contains("error") ? e["error"].value("message", res->body) : res->body;
  const auto code = res->status == 403   ? absl::StatusCode::kPermissionDenied
                    : res->status == 400 ? absl::StatusCode::kInvalidArgument
                                         : absl::StatusCode::kUnavailable;
  return absl::Status(
      code, absl::StrFormat("the centre refused%s (%d): %s", o.refused_what, res->status, msg));
}

absl::StatusOr<std::string> BodyIfAccepted(const httplib::Result& res,
                                           std::initializer_list<int> accepted,
                                           const CentreClientOptions& o) {
  if (!res || std::find(accepted.begin(), accepted.end(), res->status) == accepted.end()) {
    return Failure(res, o);
  }
  return res->body;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CentreClient>> CentreClient::Connect(CentreClientOptions options) {
  auto http = std::make_unique<httplib::Client>(options.server);
  if (!http->is_valid()) return absl::InvalidArgumentError("--server: not an http(s) URL");
  if (!options.ca_cert.empty()) http->set_ca_cert_path(options.ca_cert.c_str());
  http->set_connection_timeout(options.connect_timeout_seconds);
  http->set_read_timeout(options.read_timeout_seconds);
  if (options.write_timeout_seconds) http->set_write_timeout(*options.write_timeout_seconds);
  return std::unique_ptr<CentreClient>(new CentreClient(std::move(options), std::move(http)));
}

CentreClient::CentreClient(CentreClientOptions options, std::unique_ptr<httplib::Client> http)
    : options_(std::move(options)), http_(std::move(http)) {}

CentreClient::~CentreClient() = default;

absl::StatusOr<std::string> CentreClient::Get(const std::string& path,
                                              std::initializer_list<int> accepted) {
  return BodyIfAccepted(http_->Get(path), accepted, options_);
}

absl::StatusOr<std::string> CentreClient::Post(const std::string& path, const std::string& body,
                                               const std::string& content_type,
                                               std::initializer_list<int> accepted) {
  return BodyIfAccepted(http_->Post(path, body, content_type), accepted, options_);
}

absl::StatusOr<std::string> CentreClient::Put(const std::string& path, const std::string& body,
                                              const std::string& content_type,
                                              std::initializer_list<int> accepted) {
  return BodyIfAccepted(http_->Put(path, body, content_type), accepted, options_);
}

}  // namespace puente::apps
