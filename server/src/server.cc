#include "puente/server/server.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "puente/biometrics/image.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/card_render.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/encoding.h"
#include "puente/crypto/mac.h"
#include "puente/registry/cards.h"
#include "puente/registry/enrollment.h"
#include "puente/registry/kits.h"
#include "puente/registry/regional.h"
#include "puente/registry/sync.h"
#include "puente/registry/trust_publication.h"
#include "puente/registry/json.h"
#include "puente/registry/users.h"
#include "puente/registry/validation.h"
#include "src/api_json.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

// One request at a time per worker: its own connection and face models.
struct Worker {
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<biometrics::FaceCapture> capture;
  std::unique_ptr<registry::EnrollmentService> enrollment;
  std::unique_ptr<registry::CardOffice> cards;
  std::unique_ptr<registry::UserDirectory> users;
};

class WorkerPool {
 public:
  void Add(std::unique_ptr<Worker> w) { free_.push_back(std::move(w)); }
  template <typename Fn>
  auto With(Fn&& fn) {
    std::unique_ptr<Worker> w;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !free_.empty(); });
      w = std::move(free_.front());
      free_.pop_front();
    }
    struct Return {
      WorkerPool* pool;
      std::unique_ptr<Worker>* w;
      ~Return() {
        std::lock_guard<std::mutex> lock(pool->mu_);
        pool->free_.push_back(std::move(*w));
        pool->cv_.notify_one();
      }
    } give_back{this, &w};
    return fn(*w);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Worker>> free_;
};

struct Metrics {
  std::atomic<long> requests{0}, errors_4xx{0}, errors_5xx{0};
  std::atomic<long> enrollments_cleared{0}, enrollments_held{0}, enrollments_refused{0};
  std::atomic<long> cards_issued{0}, decisions{0};
  std::atomic<long long> request_micros{0};
};

int HttpStatusOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

std::string CodeName(const absl::Status& s) {
  std::string name = absl::StatusCodeToString(s.code());
  for (char& c : name) c = c == ' ' ? '_' : static_cast<char>(std::tolower(c));
  return name;
}

void SendError(httplib::Response& res, const absl::Status& s) {
  res.status = HttpStatusOf(s);
  // Internal errors never show their detail to the caller.
  const std::string message =
      res.status == 500 ? "internal error" : std::string(s.message());
  res.set_content(json{{"error", {{"code", CodeName(s)}, {"message", message}}}}.dump(),
                   "application/json");
}

void SendJson(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

absl::StatusOr<json> JsonBody(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    return absl::InvalidArgumentError("content type must be application/json");
  }
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  return j;
}

absl::StatusOr<uint64_t> SerialOf(const std::string& text) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) return absl::InvalidArgumentError("serial: not a number");
  return v;
}

}  // namespace

struct Server::Impl {
  ServerConfig config;
  registry::CardAuthority authority;
  std::shared_ptr<biometrics::FaceGallery> gallery;
  WorkerPool pool;
  Metrics metrics;
  std::unique_ptr<httplib::Server> http;
  std::mutex lists_mu;

  explicit Impl(ServerConfig c)
      : config(std::move(c)),
        authority{config.issuer ? *config.issuer
                                : *credentials::SigningIdentity::Generate(
                                      crypto::SignatureAlgorithm::kEd25519),
                  config.issuer_name, config.recipients, config.card_validity_days, false, ""} {}

  // --- authentication -----------------------------------------------------

  // The caller, if their token is valid and their role is one of `roles`.
  absl::StatusOr<registry::User> Caller(const httplib::Request& req,
                                        std::initializer_list<Role> roles) {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) {
      return absl::UnauthenticatedError("missing bearer token (POST /api/v1/sessions to log in)");
    }
    const std::string token = auth.substr(7);
    PUENTE_ASSIGN_OR_RETURN(registry::User u,
                            pool.With([&](Worker& w) { return w.users->Authenticate(token); }));
    for (Role r : roles) {
      if (r == u.role) return u;
    }
    return absl::PermissionDeniedError(
        puente::StrCat("role ", registry::ToString(u.role), " may not do this"));
  }

  // Runs `fn(user, worker)` for an authorized caller; maps errors to JSON.
  template <typename Fn>
  void Handle(const httplib::Request& req, httplib::Response& res,
              std::initializer_list<Role> roles, Fn&& fn) {
    auto user = Caller(req, roles);
    if (!user.ok()) return SendError(res, user.status());
    absl::Status st = pool.With([&](Worker& w) -> absl::Status { return fn(*user, w); });
    if (!st.ok()) SendError(res, st);
  }

  // --- lists ----------------------------------------------------------------

  absl::StatusOr<std::string> TrustList() {
    if (!config.root || !config.issuer) {
      return absl::UnavailableError("this server has no root or issuer key configured");
    }
    const int64_t now = std::time(nullptr);
    credentials::TrustedIssuer t;
    t.kid = config.issuer->kid();
    t.alg = config.issuer->key().algorithm();
    t.public_key = config.issuer->key().verifying_key().raw();
    t.name = config.issuer_name;
    t.not_before = now - 86400;
    t.not_after = now + 730 * int64_t{86400};
    t.card_types = {credentials::CardType::kAsylumSeeker, credentials::CardType::kRefugee,
                    credentials::CardType::kBirthAttestation};
    const registry::TrustPublication publication{
        now, now + config.list_next_update_hours * 3600, {t}};
    PUENTE_ASSIGN_OR_RETURN(registry::PublishedTrustList published, pool.With([&](Worker& w) {
      return registry::PublishTrustList(w.registry.get(), publication, *config.root);
    }));
    return published.signed_bytes;
  }

  absl::StatusOr<std::string> RevocationList() {
    if (!config.root) return absl::UnavailableError("this server has no root key configured");
    PUENTE_ASSIGN_OR_RETURN(std::vector<uint64_t> revoked,
                            pool.With([](Worker& w) { return w.cards->RevokedSerials(); }));
    const int64_t now = std::time(nullptr);
    return credentials::SignRevocationList(
        {static_cast<uint64_t>(now), now, now + config.list_next_update_hours * 3600, revoked},
        *config.root);
  }

  // --- bundles pushed by field kits -------------------------------------------

  std::filesystem::path SpoolOf(const std::string& bundle_id) const {
    return std::filesystem::path(config.bundle_spool_dir) / bundle_id;
  }

  absl::Status PushManifest(const std::string& bundle_id, const std::string& text,
                            httplib::Response& res) {
    if (!config.bundle_key) return absl::UnavailableError("no bundle key configured");
    PUENTE_ASSIGN_OR_RETURN(registry::BundleManifest m, registry::ParseBundleManifest(text));
    if (m.bundle_id != bundle_id) {
      return absl::InvalidArgumentError("the manifest is of another bundle than the URL's");
    }
    const auto dir = SpoolOf(bundle_id);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError("bundle spool: " + ec.message());
    {
      std::ofstream f(dir / "manifest.json", std::ios::binary | std::ios::trunc);
      f << text;
      if (!f) return absl::InternalError("bundle spool: cannot write the manifest");
    }
    auto report = pool.With([&](Worker& w) {
      registry::BundleImporter importer(*w.registry, *w.enrollment, *config.bundle_key);
      return importer.Import("kit-push", dir.string());
    });
    if (!report.ok()) {
      std::filesystem::remove_all(dir, ec);  // a foreign or tampered bundle leaves nothing
      return report.status();
    }
    json missing = json::array();
    for (const auto& c : m.chunks) {
      if (!std::filesystem::exists(dir / (c.sha256 + ".chunk"))) missing.push_back(c.sha256);
    }
    if (report->complete) std::filesystem::remove_all(dir, ec);
    json j = registry::ToJson(*report);
    j["missing"] = report->complete ? json::array() : missing;
    SendJson(res, j, report->complete ? 200 : 202);
    return absl::OkStatus();
  }

  absl::Status PushChunk(const std::string& bundle_id, const std::string& sha256,
                         const std::string& data) {
    if (!config.bundle_key) return absl::UnavailableError("no bundle key configured");
    const auto dir = SpoolOf(bundle_id);
    std::ifstream mf(dir / "manifest.json", std::ios::binary);
    if (!mf) {
      return absl::FailedPreconditionError(
          "push the bundle's manifest first (POST /api/v1/kits/bundles/ID)");
    }
    const std::string text((std::istreambuf_iterator<char>(mf)), std::istreambuf_iterator<char>());
    PUENTE_ASSIGN_OR_RETURN(registry::BundleManifest m, registry::ParseBundleManifest(text));
    const bool listed = std::any_of(m.chunks.begin(), m.chunks.end(),
                                    [&](const auto& c) { return c.sha256 == sha256; });
    if (!listed) return absl::InvalidArgumentError("the manifest lists no such chunk");
    if (crypto::HexEncode(crypto::Sha256(data)) != sha256) {
      return absl::InvalidArgumentError("the chunk's SHA-256 does not match its name (damaged)");
    }
    const auto path = dir / (sha256 + ".chunk");
    const auto tmp = dir / (sha256 + ".part");
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!f) return absl::InternalError("bundle spool: cannot write the chunk");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) return absl::InternalError("bundle spool: " + ec.message());
    return absl::OkStatus();
  }

  void Routes();
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerConfig config) {
  auto impl = std::make_unique<Impl>(std::move(config));
  const ServerConfig& c = impl->config;
  for (int i = 0; i < std::max(1, c.workers); ++i) {
    auto w = std::make_unique<Worker>();
    PUENTE_ASSIGN_OR_RETURN(w->registry, registry::Registry::Open(c.db_url, c.master_key));
    PUENTE_ASSIGN_OR_RETURN(w->capture, biometrics::FaceCapture::Create(c.models_dir));
    PUENTE_ASSIGN_OR_RETURN(w->enrollment, registry::EnrollmentService::Create(
                                               *w->registry, *w->capture, {}, impl->gallery));
    impl->gallery = w->enrollment->shared_gallery();  // the first loads it; the rest share it
    w->cards = std::make_unique<registry::CardOffice>(*w->registry, *w->enrollment,
                                                      impl->authority);
    w->users = std::make_unique<registry::UserDirectory>(*w->registry);
    impl->pool.Add(std::move(w));
  }
  if (!c.tls_cert_file.empty() && !c.tls_key_file.empty()) {
    impl->http = std::make_unique<httplib::SSLServer>(c.tls_cert_file.c_str(),
                                                      c.tls_key_file.c_str());
    if (!impl->http->is_valid()) {
      return absl::InvalidArgumentError("TLS certificate or key cannot be loaded");
    }
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  const int workers = std::max(1, c.workers);
  impl->http->new_task_queue = [workers] { return new httplib::ThreadPool(workers * 2); };
  impl->http->set_payload_max_length(c.max_body_bytes);
  impl->http->set_read_timeout(c.read_timeout_seconds);
  impl->http->set_write_timeout(c.read_timeout_seconds);
  impl->Routes();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

absl::StatusOr<int> Server::Bind(const std::string& host, int port) {
  if (port == 0) {
    const int p = impl_->http->bind_to_any_port(host);
    if (p <= 0) return absl::UnavailableError("cannot bind to " + host);
    return p;
  }
  if (!impl_->http->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrFormat("cannot bind to %s:%d", host, port));
  }
  return port;
}

void Server::Serve() { impl_->http->listen_after_bind(); }
void Server::Stop() {
  if (impl_ && impl_->http) impl_->http->stop();
}

absl::Status Server::EnsureAdmin(const std::string& name, const std::string& password) {
  return impl_->pool.With([&](Worker& w) -> absl::Status {
    PUENTE_ASSIGN_OR_RETURN(int n, w.users->CountUsers());
    if (n > 0) return absl::OkStatus();
    return w.users->AddUser("setup", name, Role::kAdmin, password).status();
  });
}

void Server::Impl::Routes() {
  httplib::Server& s = *http;
  s.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    metrics.requests++;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    if (res.status >= 500) {
      metrics.errors_5xx++;
    } else if (res.status >= 400) {
      metrics.errors_4xx++;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
  });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own JSON error
    absl::Status st = res.status == 413   ? absl::InvalidArgumentError("request body too large")
                      : res.status == 404 ? absl::NotFoundError("no such endpoint")
                                          : absl::InvalidArgumentError("bad request");
    const int status = res.status;
    SendError(res, st);
    res.status = status;
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                             std::exception_ptr) { SendError(res, absl::InternalError("")); });

  s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, {{"status", "ok"}, {"gallery_size", gallery ? gallery->size() : 0}});
  });
  s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!config.metrics_token.empty() &&
        !crypto::ConstantTimeEquals(req.get_header_value("Authorization"),
                                    "Bearer " + config.metrics_token)) {
      return SendError(res, absl::UnauthenticatedError("/metrics needs its bearer token"));
    }
    std::string m;
    auto counter = [&m](const char* name, const char* help, long v, const char* labels = "") {
      m += absl::StrFormat("# HELP %s %s\n# TYPE %s counter\n%s%s %d\n", name, help, name, name,
                           labels, v);
    };
    counter("puente_http_requests_total", "HTTP requests received.", metrics.requests.load());
    counter("puente_http_client_errors_total", "Responses with a 4xx status.",
            metrics.errors_4xx.load());
    counter("puente_http_server_errors_total", "Responses with a 5xx status.",
            metrics.errors_5xx.load());
    m += "# HELP puente_enrollments_total Enrollments by outcome.\n"
         "# TYPE puente_enrollments_total counter\n";
    m += absl::StrFormat("puente_enrollments_total{outcome=\"cleared\"} %d\n",
                         metrics.enrollments_cleared.load());
    m += absl::StrFormat("puente_enrollments_total{outcome=\"held\"} %d\n",
                         metrics.enrollments_held.load());
    m += absl::StrFormat("puente_enrollments_total{outcome=\"refused\"} %d\n",
                         metrics.enrollments_refused.load());
    counter("puente_cards_issued_total", "Cards issued.", metrics.cards_issued.load());
    counter("puente_adjudications_total", "Duplicate decisions.", metrics.decisions.load());
    m += absl::StrFormat("# HELP puente_gallery_templates Enrolled faces in the 1:N gallery.\n"
                         "# TYPE puente_gallery_templates gauge\npuente_gallery_templates %d\n",
                         gallery ? gallery->size() : 0);
    res.set_content(m, "text/plain; version=0.0.4");
  });
  s.Get("/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, OpenApiDocument());
  });

  // Sessions and users.
  s.Post("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = JsonBody(req);
    if (!body.ok()) return SendError(res, body.status());
    const std::string user = body->value("user", ""), password = body->value("password", "");
    auto token = pool.With([&](Worker& w) { return w.users->Login(user, password); });
    if (!token.ok()) return SendError(res, token.status());
    SendJson(res, {{"token", *token}, {"token_type", "Bearer"}}, 201);
  });
  s.Delete("/api/v1/sessions", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) return SendError(res, absl::UnauthenticatedError("no token"));
    auto st = pool.With([&](Worker& w) { return w.users->Logout(auth.substr(7)); });
    if (!st.ok()) return SendError(res, st);
    res.status = 204;
  });
  s.Post("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, {Role::kAdmin}, [&](const registry::User& u, Worker& w) -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
      auto role = registry::ParseRole(body.value("role", ""));
      if (!role) return absl::InvalidArgumentError("role: one of officer, supervisor, auditor, admin, verifier");
      PUENTE_ASSIGN_OR_RETURN(registry::User created,
                              w.users->AddUser(u.name, body.value("name", ""), *role,
                                               body.value("password", "")));
      SendJson(res, {{"name", created.name}, {"role", registry::ToString(created.role)}}, 201);
      return absl::OkStatus();
    });
  });

  // Enrollment and adjudication.
  s.Post("/api/v1/enrollments", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, {Role::kOfficer}, [&](const registry::User& u, Worker& w) -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
      PUENTE_ASSIGN_OR_RETURN(registry::NewApplicant a, ApplicantFromJson(body, "applicant"));
      a.officer = u.name;
      PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
      auto e = w.enrollment->Enroll(u.name, std::move(a), photo);
      if (!e.ok()) {
        if (absl::StartsWith(e.status().message(), "photo:")) metrics.enrollments_refused++;
        return e.status();
      }
      (e->status == registry::EnrollmentStatus::kHeld ? metrics.enrollments_held
                                                      : metrics.enrollments_cleared)++;
      SendJson(res, EnrollmentJson(*e), 201);
      return absl::OkStatus();
    });
  });
  s.Get("/api/v1/enrollments", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, {Role::kSupervisor}, [&](const registry::User& u, Worker& w) -> absl::Status {
      if (req.get_param_value("status") != "held") {
        return absl::InvalidArgumentError("status: only ?status=held is supported");
      }
      PUENTE_ASSIGN_OR_RETURN(auto held, w.enrollment->ListHeld(u.name, 100));
      json arr = json::array();
      for (const auto& e : held) arr.push_back(EnrollmentJson(e));
      SendJson(res, {{"enrollments", arr}});
      return absl::OkStatus();
    });
  });
  s.Get(R"(/api/v1/applicants/([0-9A-Za-z-]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          Handle(req, res, {Role::kOfficer, Role::kSupervisor, Role::kAuditor},
                 [&](const registry::User& u, Worker& w) -> absl::Status {
                   PUENTE_ASSIGN_OR_RETURN(registry::Enrollment e,
                                           w.enrollment->GetEnrollment(u.name, req.matches[1]));
                   SendJson(res, EnrollmentJson(e));
                   return absl::OkStatus();
                 });
        });
  s.Get(R"(/api/v1/applicants/([0-9A-Za-z-]+)/photo)",
        [this](const httplib::Request& req, httplib::Response& res) {
          Handle(req, res, {Role::kOfficer, Role::kSupervisor},
                 [&](const registry::User& u, Worker& w) -> absl::Status {
                   PUENTE_ASSIGN_OR_RETURN(std::string photo,
                                           w.enrollment->GetPhoto(u.name, req.matches[1]));
                   auto info = biometrics::InspectImage(photo);
                   res.set_content(photo, info.ok() && info->format == biometrics::ImageFormat::kPng ? "image/png"
                                                                             : "image/jpeg");
                   return absl::OkStatus();
                 });
        });
  s.Post(R"(/api/v1/candidates/([0-9a-f-]+)/decision)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Handle(req, res, {Role::kSupervisor},
                  [&](const registry::User& u, Worker& w) -> absl::Status {
                    PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
                    const std::string d = body.value("decision", "");
                    if (d != "same_person" && d != "different") {
                      return absl::InvalidArgumentError(
                          "decision: \"same_person\" or \"different\"");
                    }
                    PUENTE_ASSIGN_OR_RETURN(
                        registry::Enrollment e,
                        w.enrollment->Decide(u.name, req.matches[1],
                                             d == "same_person" ? registry::Decision::kSamePerson
                                                                : registry::Decision::kDifferent,
                                             body.value("note", "")));
                    metrics.decisions++;
                    SendJson(res, EnrollmentJson(e));
                    return absl::OkStatus();
                  });
         });
  s.Post(R"(/api/v1/applicants/([0-9A-Za-z-]+)/verify-face)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Handle(req, res, {Role::kOfficer}, [&](const registry::User& u, Worker& w) -> absl::Status {
             PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
             PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
             PUENTE_ASSIGN_OR_RETURN(registry::FaceVerification v,
                                     w.enrollment->VerifyFace(u.name, req.matches[1], photo));
             SendJson(res, {{"match", v.match},
                            {"similarity", v.similarity},
                            {"threshold", v.threshold},
                            {"live_photo_passed_quality", v.live_photo_passed_quality}});
             return absl::OkStatus();
           });
         });
  s.Post(R"(/api/v1/cases/([0-9A-Za-z-]+)/status)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Handle(req, res, {Role::kSupervisor},
                  [&](const registry::User& u, Worker& w) -> absl::Status {
                    PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
                    auto to = registry::ParseCaseStatus(body.value("to", ""));
                    if (!to) return absl::InvalidArgumentError("to: not a case status");
                    PUENTE_ASSIGN_OR_RETURN(
                        registry::Case c,
                        w.registry->ChangeCaseStatus(u.name, req.matches[1], *to,
                                                     body.value("reason", "")));
                    SendJson(res, {{"case_number", c.case_number},
                                   {"status", registry::ToString(c.status)}});
                    return absl::OkStatus();
                  });
         });

  // Cards.
  s.Post(R"(/api/v1/applicants/([0-9A-Za-z-]+)/cards)",
         [this](const httplib::Request& req, httplib::Response& res) {
           Handle(req, res, {Role::kOfficer}, [&](const registry::User& u, Worker& w) -> absl::Status {
             if (!config.issuer) return absl::UnavailableError("no issuer key configured");
             PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
             PUENTE_ASSIGN_OR_RETURN(credentials::CardType type,
                                     credentials::ParseCardType(body.value("type", "asylum-seeker")));
             PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card,
                                     w.cards->Issue(u.name, req.matches[1], type));
             metrics.cards_issued++;
             SendJson(res, CardJson(card), 201);
             return absl::OkStatus();
           });
         });
  s.Get(R"(/api/v1/cards/(\d+)(\.png|\.pdf)?)",
        [this](const httplib::Request& req, httplib::Response& res) {
          Handle(req, res, {Role::kOfficer, Role::kSupervisor},
                 [&](const registry::User& u, Worker& w) -> absl::Status {
                   PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
                   PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, w.cards->Get(u.name, serial));
                   const std::string format = req.matches[2];
                   if (format.empty()) {
                     SendJson(res, CardJson(card));
                     return absl::OkStatus();
                   }
                   std::string portrait;
                   if (!card.photo.empty() && card.face_box.size() == 4) {
                     auto image = biometrics::DecodeImage(card.photo);
                     if (image.ok()) {
                       portrait = biometrics::PortraitPng(
                           *image, cv::Rect(card.face_box[0], card.face_box[1], card.face_box[2],
                                            card.face_box[3]));
                     }
                   }
                   const credentials::CardArtwork art{&card.card, card.qr_text, portrait};
                   if (format == ".png") {
                     PUENTE_ASSIGN_OR_RETURN(std::string png, credentials::RenderCardPng(art));
                     res.set_content(png, "image/png");
                   } else {
                     PUENTE_ASSIGN_OR_RETURN(std::string pdf, credentials::RenderCardPdf(art));
                     res.set_content(pdf, "application/pdf");
                   }
                   return absl::OkStatus();
                 });
        });
  s.Post(R"(/api/v1/cards/(\d+)/(revoke|replace|renew))",
         [this](const httplib::Request& req, httplib::Response& res) {
           const std::string action = req.matches[2];
           // Supervisors revoke; officers replace and renew.
           const Role allowed = action == "revoke" ? Role::kSupervisor : Role::kOfficer;
           Handle(req, res, {allowed}, [&](const registry::User& u, Worker& w) -> absl::Status {
             PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
             PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
             if (action == "revoke") {
               PUENTE_RETURN_IF_ERROR(w.cards->Revoke(u.name, serial, body.value("reason", "")));
               SendJson(res, {{"serial", serial}, {"status", "revoked"}});
               return absl::OkStatus();
             }
             absl::StatusOr<registry::IssuedCard> card;
             if (action == "replace") {
               card = w.cards->Replace(u.name, serial, body.value("reason", ""));
             } else {
               PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
               card = w.cards->Renew(u.name, serial, photo);
             }
             if (!card.ok()) return card.status();
             metrics.cards_issued++;
             SendJson(res, CardJson(*card), 201);
             return absl::OkStatus();
           });
         });

  // Lists for verifiers: public, stable URLs.
  s.Get("/api/v1/lists/trust", [this](const httplib::Request&, httplib::Response& res) {
    auto bytes = TrustList();
    if (!bytes.ok()) return SendError(res, bytes.status());
    res.set_content(*bytes, "application/cose");
  });
  s.Get("/api/v1/lists/revocation", [this](const httplib::Request&, httplib::Response& res) {
    auto bytes = RevocationList();
    if (!bytes.ok()) return SendError(res, bytes.status());
    res.set_content(*bytes, "application/cose");
  });
  s.Get("/api/v1/keys/root", [this](const httplib::Request&, httplib::Response& res) {
    if (!config.root) return SendError(res, absl::UnavailableError("no root key configured"));
    res.set_content(credentials::PublicKeyFileJson(
                        credentials::PublicFileOf(*config.root, credentials::KeyKind::kRoot)),
                    "application/json");
  });

  // Field kits pull lists and their regional snapshot. No bearer token: the
  // request is signed by a kit key the centre certified, and the answer is
  // sealed to a key of that request only (docs/field-kits.md, "Pull").
  s.Post("/api/v1/kits/pull", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = JsonBody(req);
    if (!body.ok()) return SendError(res, body.status());
    if (!config.root) return SendError(res, absl::UnavailableError("no root key configured"));
    auto tl = TrustList();
    if (!tl.ok()) return SendError(res, tl.status());
    auto rl = RevocationList();
    if (!rl.ok()) return SendError(res, rl.status());
    auto answer = pool.With([&](Worker& w) {
      return registry::RegionalSnapshot::Answer(*w.registry, req.body, *config.root, *tl, *rl);
    });
    if (!answer.ok()) return SendError(res, answer.status());
    res.set_content(*answer, "application/json");
  });

  // Field kits push sync bundles over a slow, dropping link: the signed
  // manifest first (checked like any bundle: a foreign or tampered one is
  // refused and nothing is kept), then each chunk the centre does not have
  // yet (its SHA-256 must be one the manifest lists), then the manifest
  // again to import. Every call answers what is still missing.
  s.Post(R"(/api/v1/kits/bundles/([0-9a-f]{64}))",
         [this](const httplib::Request& req, httplib::Response& res) {
           auto body = JsonBody(req);
           if (!body.ok()) return SendError(res, body.status());
           auto st = PushManifest(req.matches[1], req.body, res);
           if (!st.ok()) SendError(res, st);
         });
  s.Put(R"(/api/v1/kits/bundles/([0-9a-f]{64})/chunks/([0-9a-f]{64}))",
        [this](const httplib::Request& req, httplib::Response& res) {
          auto st = PushChunk(req.matches[1], req.matches[2], req.body);
          if (!st.ok()) return SendError(res, st);
          res.status = 204;
        });

  s.Get(R"(/api/v1/cases/([0-9A-Za-z-]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          Handle(req, res, {Role::kOfficer, Role::kSupervisor, Role::kAuditor},
                 [&](const registry::User& u, Worker& w) -> absl::Status {
                   PUENTE_ASSIGN_OR_RETURN(registry::Case c,
                                           w.registry->GetCase(u.name, req.matches[1]));
                   SendJson(res, registry::ToJson(c));
                   return absl::OkStatus();
                 });
        });

  // Audit.
  s.Get("/api/v1/audit/events", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, {Role::kAuditor}, [&](const registry::User&, Worker& w) -> absl::Status {
      long long after = 0;
      int limit = 100;
      if (req.has_param("after") && !absl::SimpleAtoi(req.get_param_value("after"), &after)) {
        return absl::InvalidArgumentError("after: not a number");
      }
      if (req.has_param("limit") && !absl::SimpleAtoi(req.get_param_value("limit"), &limit)) {
        return absl::InvalidArgumentError("limit: not a number");
      }
      PUENTE_ASSIGN_OR_RETURN(auto events,
                              registry::ListAuditEvents(w.registry->database(), after, limit));
      json arr = json::array();
      for (const auto& e : events) {
        arr.push_back({{"seq", e.seq},
                       {"at", e.at},
                       {"actor", e.event.actor},
                       {"action", e.event.action},
                       {"entity", e.event.entity},
                       {"entity_id", e.event.entity_id},
                       {"details", json::parse(e.event.details, nullptr, false)}});
      }
      SendJson(res, {{"events", arr}});
      return absl::OkStatus();
    });
  });
  s.Get("/api/v1/audit/verify", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, {Role::kAuditor}, [&](const registry::User&, Worker& w) -> absl::Status {
      PUENTE_ASSIGN_OR_RETURN(registry::AuditReport r, w.registry->VerifyAudit());
      SendJson(res, {{"intact", r.intact},
                     {"events_checked", r.events_checked},
                     {"problem", r.problem}});
      return absl::OkStatus();
    });
  });
}

}  // namespace puente::server
