// Field-kit mode over HTTP (server/src/routes/field.cc): a real puente-server
// on a field kit's SQLite registry (the kit certified by a centre registry,
// its identity installed), with users of every role. Jornadas, births with
// their attestation (as PDF), the sync status before and after an export, a
// push and a pull, GET /api/v1/session naming the kit; roles; bad input
// refused with a 400 naming the field and nothing stored. Jornadas and births
// also at the centre, on SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "biometrics/biometrics_test_support.h"
#include "puente/biometrics/face_capture.h"
#include "puente/credentials/lists.h"
#include "puente/crypto/encoding.h"
#include "puente/registry/kits.h"
#include "puente/registry/regional.h"
#include "puente/registry/registration_number.h"
#include "puente/registry/sync.h"
#include "puente/registry/users.h"
#include "puente/server/server.h"
#include "scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using puente::testing::TestDatabase;
using registry::Dialect;
using registry::Role;

using registry::kAllRoles;

// A real server on `db_url` (on `clock`) with one user of each role, named
// after it; and a client.
class Service {
 public:
  Service(const std::string& db_url, const crypto::SecretKey& master, const Clock& clock,
          std::optional<credentials::SigningIdentity> issuer) {
    ServerConfig config(master);
    config.db_url = db_url;
    config.models_dir = puente::testing::ModelsDirForTests();
    config.clock = &clock;
    if (issuer) {
      config.issuer = *issuer;
      config.trusted_issuers = {puente::testing::CertifiedIssuer(*issuer)};
    }
    server_ = std::make_unique<puente::testing::ScopedServer>(std::move(config));
    EXPECT_TRUE(server_->status().ok()) << server_->status();
    if (!server_->status().ok()) return;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
    EXPECT_TRUE(server_->server().EnsureAdmin("admin", "password-of-admin").ok());
    const std::string admin = Login("admin");
    for (Role role : kAllRoles) {
      if (role == Role::kAdmin) continue;
      const std::string name(registry::ToString(role));
      auto r = Call("POST", "/api/v1/users", admin,
                    json{{"name", name}, {"role", name}, {"password", "password-of-" + name}});
      EXPECT_EQ(r.first, 201) << r.second;
    }
  }
  bool ready() const { return client_ != nullptr; }

  std::string Login(const std::string& name) {
    auto r = client_->Post("/api/v1/sessions",
                           json{{"user", name}, {"password", "password-of-" + name}}.dump(),
                           "application/json");
    if (!r || r->status != 201) return "";
    return json::parse(r->body)["token"];
  }
  std::string Login(Role role) {
    return Login(role == Role::kAdmin ? "admin" : std::string(registry::ToString(role)));
  }

  // {status, body}; -1 without an answer.
  std::pair<int, std::string> Call(const std::string& method, const std::string& path,
                                   const std::string& token, const json& body = nullptr) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r =
        method == "GET" ? client_->Get(path.c_str(), headers)
                        : client_->Post(path.c_str(), headers, body.is_null() ? "{}" : body.dump(),
                                        "application/json");
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  json Json(const std::string& method, const std::string& path, const std::string& token,
            const json& body = nullptr, int want = 200) {
    auto [status, text] = Call(method, path, token, body);
    EXPECT_EQ(status, want) << method << " " << path << ": " << text;
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json() : j;
  }

 private:
  std::unique_ptr<puente::testing::ScopedServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

// The message of a JSON error answer.
std::string ErrorMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error")) return "(not an error: " + body + ")";
  return j["error"].value("message", "");
}

json MotherFromDocuments() {
  return {{"role", "mother"},
          {"full_name", "Elena Caisamo"},
          {"nationality", "COL"},
          {"document", {{"type", "national_id"}, {"country", "COL"}, {"number", "1234567"}}}};
}

json Birth(const std::string& jornada_id = "") {
  json b{{"given_names", "Luz"},
         {"surname1", "Caisamo"},
         {"sex", "F"},
         {"born_on", "2026-11-21"},
         {"born_at", "04:35"},
         {"place_code", "PA-5-DAR-01"},
         {"place", "Bajo Chiquito"},
         {"facility", "partera Elena Caisamo"},
         {"parents", json::array({MotherFromDocuments()})}};
  if (!jornada_id.empty()) b["jornada_id"] = jornada_id;
  return b;
}

json Jornada() {
  return {{"location_code", "PA-5-DAR-01"},
          {"starts_on", "2026-11-22"},
          {"ends_on", "2026-11-24"},
          {"officers", json::array({"officer", "luis"})}};
}

// A field kit: certified at a centre registry (SQLite), its identity
// installed on its own SQLite registry, served by puente-server; the clock
// is the test's (lists go stale when it moves on).
class FieldKitRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(centre_db_.ready() && kit_db_.ready());
    centre_ = puente::testing::OpenMigratedRegistry(centre_db_, centre_master_, clock_);
    kit_ = puente::testing::OpenMigratedRegistry(kit_db_, kit_master_, clock_);
    ASSERT_TRUE(centre_ && kit_);
    auto rec = registry::KitAuthority(*centre_).Certify("admin", "darien-01",
                                                        kit_key_.key().verifying_key(), 60, 30);
    ASSERT_TRUE(rec.ok()) << rec.status();
    record_ = *rec;
    registry::KitIdentity id;
    id.kit_id = "darien-01";
    id.office_code = rec->office_code;
    id.key = kit_key_;
    id.not_after = rec->not_after;
    id.max_validity_days = 30;
    id.root_public_key = root_.key().verifying_key().raw();
    id.centre_bundle_key = centre_key_.key().public_key();
    ASSERT_TRUE(registry::InstallKitIdentity(*kit_, "admin", id).ok());
    service_ = std::make_unique<Service>(kit_db_.url(), kit_master_, clock_, std::nullopt);
    ASSERT_TRUE(service_->ready());
  }

  // A pull of the kit from the centre, as `kit pull` does over HTTP.
  void Pull() {
    auto capture = biometrics::FaceCapture::Create(puente::testing::ModelsDirForTests());
    ASSERT_TRUE(capture.ok()) << capture.status();
    auto enrollment = registry::EnrollmentService::Create(*kit_, **capture);
    ASSERT_TRUE(enrollment.ok()) << enrollment.status();
    const int64_t now = absl::ToUnixSeconds(clock_.Now());
    auto tl =
        credentials::SignTrustList({5, now, now + 86400, {registry::TrustEntryOf(record_)}}, root_);
    auto rl = credentials::SignRevocationList({6, now, now + 86400, {42, 43}}, root_);
    ASSERT_TRUE(tl.ok() && rl.ok());
    auto req = registry::RegionalSnapshot::MakeRequest(*kit_);
    ASSERT_TRUE(req.ok()) << req.status();
    auto answer = registry::RegionalSnapshot::Answer(*centre_, req->text, root_, *tl, *rl);
    ASSERT_TRUE(answer.ok()) << answer.status();
    auto applied = registry::RegionalSnapshot::Apply(*kit_, **enrollment, "officer", *req, *answer);
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  FixedClock clock_{puente::testing::TestClock().Now()};
  TestDatabase centre_db_{Dialect::kSqlite}, kit_db_{Dialect::kSqlite};
  crypto::SecretKey centre_master_ = puente::testing::NewMasterKey();
  crypto::SecretKey kit_master_ = puente::testing::NewMasterKey();
  credentials::SigningIdentity root_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::SigningIdentity kit_key_ =
      *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519);
  credentials::InstitutionKey centre_key_ = *credentials::InstitutionKey::Generate();
  std::unique_ptr<registry::Registry> centre_, kit_;
  registry::KitRecord record_;
  std::unique_ptr<Service> service_;
};

TEST_F(FieldKitRoutesTest, TheSessionNamesTheKit) {
  const json s = service_->Json("GET", "/api/v1/session", service_->Login(Role::kOfficer));
  EXPECT_EQ(s["user"], "officer");
  EXPECT_EQ(s["kit"], (json{{"kit_id", "darien-01"}, {"office_code", record_.office_code}}));
}

TEST_F(FieldKitRoutesTest, JornadasOpenListAndCloseWithTheirCounts) {
  const std::string officer = service_->Login(Role::kOfficer);
  const json opened = service_->Json("POST", "/api/v1/jornadas", officer, Jornada(), 201);
  EXPECT_EQ(opened["kit_id"], "darien-01");
  EXPECT_EQ(opened["status"], "open");
  EXPECT_EQ(opened["officers"], (json{"officer", "luis"}));
  EXPECT_TRUE(opened["counts"].is_null());
  const std::string id = opened["id"];
  // A birth during it, attested.
  const json birth = service_->Json("POST", "/api/v1/births", officer, Birth(id), 201);
  EXPECT_FALSE(birth["attestation"].is_null()) << birth.dump();
  const json list = service_->Json("GET", "/api/v1/jornadas", service_->Login(Role::kSupervisor));
  ASSERT_EQ(list["jornadas"].size(), 1u);
  EXPECT_EQ(list["jornadas"][0]["id"], id);

  const json closed = service_->Json("POST", "/api/v1/jornadas/" + id + "/close", officer);
  EXPECT_EQ(closed["status"], "closed");
  EXPECT_EQ(
      closed["counts"],
      (json{{"births", 1}, {"attestations", 1}, {"enrollments", 0}, {"held_for_adjudication", 0}}));
  EXPECT_FALSE(closed["closed_at"].get<std::string>().empty());
  // Closed once; births no longer join it.
  auto again = service_->Call("POST", "/api/v1/jornadas/" + id + "/close", officer);
  EXPECT_EQ(again.first, 409) << again.second;
  auto late = service_->Call("POST", "/api/v1/births", officer, Birth(id));
  EXPECT_EQ(late.first, 409) << late.second;
  EXPECT_EQ(ErrorMessage(late.second).rfind("jornada_id: ", 0), 0u) << late.second;
  auto unknown = service_->Call(
      "POST", "/api/v1/jornadas/00000000-0000-4000-8000-000000000000/close", officer);
  EXPECT_EQ(unknown.first, 404) << unknown.second;
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "births"), 1);
}

TEST_F(FieldKitRoutesTest, ABadJornadaIsA400NamingTheFieldAndNothingIsOpened) {
  const std::string officer = service_->Login(Role::kOfficer);
  struct Case {
    const char* field;
    json value;
    const char* message_starts;
  };
  const Case cases[] = {
      {"location_code", "", "location_code: "},
      {"starts_on", "2026-02-30", "starts_on: "},
      {"ends_on", "2026-11-01", "ends_on: before starts_on"},
      {"officers", json::array(), "officers: "},
      {"officers", "luis", "officers: must be an array"},
      {"officers", json::array({"Luis Pérez"}), "officers: "},
      {"location_code", 5, "location_code: must be a string"},
  };
  for (const Case& c : cases) {
    json body = Jornada();
    body[c.field] = c.value;
    SCOPED_TRACE(body.dump());
    auto [status, text] = service_->Call("POST", "/api/v1/jornadas", officer, body);
    EXPECT_EQ(status, 400) << text;
    EXPECT_EQ(ErrorMessage(text).rfind(c.message_starts, 0), 0u) << text;
  }
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "jornadas"), 0);
}

TEST_F(FieldKitRoutesTest, ABirthRegistersWithAProvisionalAttestationAsPdf) {
  const std::string officer = service_->Login(Role::kOfficer);
  const json b = service_->Json("POST", "/api/v1/births", officer, Birth(), 201);
  const std::string number = b["birth_number"];
  EXPECT_EQ(number.rfind(record_.office_code + "-", 0), 0u) << number;  // the kit's numbers
  const json& a = b["attestation"];
  ASSERT_TRUE(a.is_object()) << b.dump();
  EXPECT_EQ(a["type"], "birth-attestation");
  EXPECT_EQ(a["provisional"], true);
  EXPECT_EQ(a["issuer"], "PA-KIT-darien-01");
  EXPECT_EQ(a["guardian"], "Elena Caisamo (madre)");
  EXPECT_EQ(a["pdf"], "/api/v1/births/" + number + "/attestation.pdf");
  EXPECT_EQ(std::to_string(a["serial"].get<uint64_t>()).rfind(record_.office_code, 0), 0u);
  // The PDF, for officers and supervisors.
  for (Role role : {Role::kOfficer, Role::kSupervisor}) {
    auto [status, pdf] = service_->Call("GET", a["pdf"], service_->Login(role));
    EXPECT_EQ(status, 200);
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  }
  // One attestation a birth.
  auto twice = service_->Call("POST", "/api/v1/births/" + number + "/attestation", officer);
  EXPECT_EQ(twice.first, 409) << twice.second;
  // Without one, then issued on its own; its PDF is refused until then.
  json plain = Birth();
  plain["attest"] = false;
  const json later = service_->Json("POST", "/api/v1/births", officer, plain, 201);
  EXPECT_TRUE(later["attestation"].is_null());
  const std::string second = later["birth_number"];
  EXPECT_EQ(service_->Call("GET", "/api/v1/births/" + second + "/attestation.pdf", officer).first,
            409);
  const json issued =
      service_->Json("POST", "/api/v1/births/" + second + "/attestation", officer, nullptr, 201);
  EXPECT_EQ(issued["provisional"], true);
  EXPECT_EQ(service_->Call("GET", "/api/v1/births/" + second + "/attestation.pdf", officer).first,
            200);
  const std::string unknown = registry::FormatRegistrationNumber(record_.office_code, 2026, 999999);
  EXPECT_EQ(service_->Call("GET", "/api/v1/births/" + unknown + "/attestation.pdf", officer).first,
            404);
  auto malformed = service_->Call("GET", "/api/v1/births/901-2026-x/attestation.pdf", officer);
  EXPECT_EQ(malformed.first, 400) << malformed.second;
}

TEST_F(FieldKitRoutesTest, ABadBirthIsA400NamingTheFieldAndNothingIsStored) {
  const std::string officer = service_->Login(Role::kOfficer);
  struct Case {
    std::string field;
    json value;
    std::string message_starts;
  };
  const std::vector<Case> cases = {
      {"born_on", "2031-02-30", "born_on: "},
      {"born_on", "2099-01-01", "born_on: 2099-01-01 is in the future"},
      {"born_at", "25:00", "born_at: "},
      {"given_names", "", "given_names: is required"},
      {"facility", "", "facility: is required"},
      {"sex", "Q", "sex: F, M or X"},
      {"parents", json::array(), "parents: at least one"},
      {"parents", "Elena", "parents: must be an array"},
      {"parents", json::array({"Elena"}), "parents[0]: must be an object"},
      {"parents", json::array({{{"role", "aunt"}, {"full_name", "Elena"}}}), "parents[0].role: "},
      {"parents", json::array({{{"role", "mother"}}}), "parents[0].full_name: is required"},
      {"parents", json::array({{{"role", "mother"}, {"registration_number", "101-2026-000001-5"}}}),
       "parents[0]."},  // not enrolled here: 404
      {"office_code", "101", "office_code: this kit registers births under its own office code"},
      {"jornada_id", "00000000-0000-4000-8000-000000000000", "jornada_id: "},
      {"attest", "yes", "attest: must be true or false"},
      {"given_names", 7, "given_names: must be a string"},
  };
  for (const Case& c : cases) {
    json body = Birth();
    body[c.field] = c.value;
    SCOPED_TRACE(body.dump());
    auto [status, text] = service_->Call("POST", "/api/v1/births", officer, body);
    EXPECT_TRUE(status == 400 || status == 404) << status << " " << text;
    EXPECT_EQ(ErrorMessage(text).rfind(c.message_starts, 0), 0u) << text;
  }
  // Every problem at once, each naming its field.
  json many = Birth();
  many["born_on"] = "2099-01-01";
  many["facility"] = "";
  auto [status, text] = service_->Call("POST", "/api/v1/births", officer, many);
  EXPECT_EQ(status, 400);
  EXPECT_NE(ErrorMessage(text).find("born_on: "), std::string::npos) << text;
  EXPECT_NE(ErrorMessage(text).find("; facility: is required"), std::string::npos) << text;
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "births"), 0);
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "audit_events WHERE action = 'birth.register'"), 0);
}

TEST_F(FieldKitRoutesTest, EachRouteRefusesTheRolesItDoesNotAllow) {
  const std::string officer = service_->Login(Role::kOfficer);
  const std::string id = service_->Json("POST", "/api/v1/jornadas", officer, Jornada(), 201)["id"];
  const std::string number =
      service_->Json("POST", "/api/v1/births", officer, Birth(), 201)["birth_number"];
  struct Case {
    std::string method, path;
    json body;
    std::vector<Role> allowed;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/jornadas", nullptr, {Role::kOfficer, Role::kSupervisor}},
      {"POST", "/api/v1/jornadas", Jornada(), {Role::kOfficer, Role::kSupervisor}},
      {"POST", "/api/v1/births", Birth(), {Role::kOfficer}},
      {"GET",
       "/api/v1/births/" + number + "/attestation.pdf",
       nullptr,
       {Role::kOfficer, Role::kSupervisor}},
      {"GET", "/api/v1/kit/sync", nullptr, {Role::kOfficer, Role::kSupervisor}},
      {"POST", "/api/v1/jornadas/" + id + "/close", nullptr, {Role::kOfficer, Role::kSupervisor}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    EXPECT_EQ(service_->Call(c.method, c.path, "", c.body).first, 401);
    for (Role role : kAllRoles) {
      SCOPED_TRACE(registry::ToString(role));
      const bool allowed = std::find(c.allowed.begin(), c.allowed.end(), role) != c.allowed.end();
      if (allowed) continue;  // the other tests run them
      EXPECT_EQ(service_->Call(c.method, c.path, service_->Login(role), c.body).first, 403);
    }
  }
  // Refused calls stored nothing: the one jornada and birth of the officer.
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "jornadas"), 1);
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "births"), 1);
}

TEST_F(FieldKitRoutesTest, TheSyncStatusFollowsExportPushAndPull) {
  const std::string officer = service_->Login(Role::kOfficer);
  json s = service_->Json("GET", "/api/v1/kit/sync", officer);
  EXPECT_EQ(s["kit_id"], "darien-01");
  EXPECT_EQ(s["waiting"]["total"], 0);
  EXPECT_TRUE(s["last_export"].is_null());
  EXPECT_TRUE(s["last_push"].is_null());
  EXPECT_TRUE(s["last_pull"].is_null());
  EXPECT_TRUE(s["lists"]["trust"].is_null());  // never pulled

  clock_.Advance(absl::Minutes(1));
  const std::string id = service_->Json("POST", "/api/v1/jornadas", officer, Jornada(), 201)["id"];
  service_->Json("POST", "/api/v1/births", officer, Birth(id), 201);
  s = service_->Json("GET", "/api/v1/kit/sync", officer);
  EXPECT_EQ(s["waiting"], (json{{"enrollments", 0},
                                {"births", 1},
                                {"jornadas", 1},
                                {"provisional_cards", 0},
                                {"total", 2}}));

  // An export carries them: nothing waits; a birth after it waits.
  clock_.Advance(absl::Minutes(1));
  const std::string out = ::testing::TempDir() + "/puente-field-routes-" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  auto bundle = registry::ExportBundle(*kit_, "officer", out);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  s = service_->Json("GET", "/api/v1/kit/sync", officer);
  EXPECT_EQ(s["waiting"]["total"], 0) << s.dump();
  ASSERT_TRUE(s["last_export"].is_object());
  EXPECT_EQ(s["last_export"]["bundle_id"], bundle->bundle_id);
  EXPECT_EQ(s["last_export"]["detail"]["births"], 1);
  clock_.Advance(absl::Minutes(1));
  service_->Json("POST", "/api/v1/births", officer, Birth(id), 201);
  s = service_->Json("GET", "/api/v1/kit/sync", officer);
  EXPECT_EQ(s["waiting"]["births"], 1);
  EXPECT_EQ(s["waiting"]["jornadas"], 0);
  // Closing the jornada changes it: it waits again.
  service_->Json("POST", "/api/v1/jornadas/" + id + "/close", officer);
  EXPECT_EQ(service_->Json("GET", "/api/v1/kit/sync", officer)["waiting"]["jornadas"], 1);

  // The push's outcome as the centre answered it (kit push records it).
  ASSERT_TRUE(registry::RecordPush(
                  *kit_, "officer", bundle->bundle_id,
                  {{"complete", false}, {"missing", {"a", "b"}}, {"held", {"901-2026-000001-6"}}})
                  .ok());
  s = service_->Json("GET", "/api/v1/kit/sync", officer);
  ASSERT_TRUE(s["last_push"].is_object());
  EXPECT_EQ(s["last_push"]["bundle_id"], bundle->bundle_id);
  EXPECT_EQ(s["last_push"]["detail"]["complete"], false);
  EXPECT_EQ(s["last_push"]["detail"]["missing_chunks"], 2);
  EXPECT_FALSE(s["last_push"]["detail"].contains("held")) << "no registration numbers kept";
  EXPECT_EQ(puente::testing::CountRows(kit_db_, "audit_events WHERE action = 'kit.push'"), 1);

  // A pull: the lists' times, current; stale once past their next update.
  ASSERT_NO_FATAL_FAILURE(Pull());
  s = service_->Json("GET", "/api/v1/kit/sync", officer);
  ASSERT_TRUE(s["last_pull"].is_object()) << s.dump();
  const json& trust = s["lists"]["trust"];
  ASSERT_TRUE(trust.is_object()) << s.dump();
  EXPECT_EQ(trust["sequence"], 5);
  EXPECT_EQ(trust["entries"], 1);
  EXPECT_EQ(trust["stale"], false);
  EXPECT_EQ(s["lists"]["revocation"]["entries"], 2);
  EXPECT_EQ(trust["next_update"],
            FormatTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(clock_.Now()) + 86400)));
  clock_.Advance(absl::Hours(25));
  s = service_->Json("GET", "/api/v1/kit/sync", service_->Login(Role::kSupervisor));
  EXPECT_EQ(s["lists"]["trust"]["stale"], true);
  EXPECT_EQ(s["lists"]["revocation"]["stale"], true);
  std::filesystem::remove_all(out);
}

// At the centre: jornadas belong to no kit, births name their office and are
// attested with the server's issuer key (not provisional); no sync status.
class CentreFieldRoutesTest : public ::testing::TestWithParam<Dialect> {};

TEST_P(CentreFieldRoutesTest, JornadasAndBirthsWorkAtTheCentre) {
  TestDatabase db(GetParam());
  if (!db.ready()) GTEST_SKIP() << "no PostgreSQL (set PUENTE_TEST_PG_URL)";
  FixedClock clock(puente::testing::TestClock().Now());
  const crypto::SecretKey master = puente::testing::NewMasterKey();
  ASSERT_NE(puente::testing::OpenMigratedRegistry(db, master, clock), nullptr);
  Service service(db.url(), master, clock,
                  *credentials::SigningIdentity::Generate(crypto::SignatureAlgorithm::kEd25519));
  ASSERT_TRUE(service.ready());
  const std::string officer = service.Login(Role::kOfficer);
  EXPECT_TRUE(service.Json("GET", "/api/v1/session", officer)["kit"].is_null());

  const json j = service.Json("POST", "/api/v1/jornadas", officer, Jornada(), 201);
  EXPECT_EQ(j["kit_id"], "");
  json birth = Birth(j["id"]);
  auto no_office = service.Call("POST", "/api/v1/births", officer, birth);
  EXPECT_EQ(no_office.first, 400);
  EXPECT_EQ(ErrorMessage(no_office.second), "office_code: is required outside a field kit");
  EXPECT_EQ(puente::testing::CountRows(db, "births"), 0);
  birth["office_code"] = "101";
  const json b = service.Json("POST", "/api/v1/births", officer, birth, 201);
  EXPECT_EQ(b["birth_number"].get<std::string>().rfind("101-", 0), 0u) << b.dump();
  EXPECT_EQ(b["attestation"]["provisional"], false);
  auto [status, pdf] = service.Call("GET", b["attestation"]["pdf"], officer);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  const json closed =
      service.Json("POST", "/api/v1/jornadas/" + j["id"].get<std::string>() + "/close", officer);
  EXPECT_EQ(closed["counts"]["births"], 1);
  auto sync = service.Call("GET", "/api/v1/kit/sync", officer);
  EXPECT_EQ(sync.first, 409);
  EXPECT_EQ(ErrorMessage(sync.second), "this server does not run on a field kit");
}

// A centre without an issuer key cannot attest: the birth is refused before
// anything is stored (unless asked without an attestation).
TEST(CentreWithoutIssuerTest, ABirthAskingForAnAttestationIsRefusedAndNotStored) {
  TestDatabase db(Dialect::kSqlite);
  ASSERT_TRUE(db.ready());
  FixedClock clock(puente::testing::TestClock().Now());
  const crypto::SecretKey master = puente::testing::NewMasterKey();
  ASSERT_NE(puente::testing::OpenMigratedRegistry(db, master, clock), nullptr);
  Service service(db.url(), master, clock, std::nullopt);
  ASSERT_TRUE(service.ready());
  const std::string officer = service.Login(Role::kOfficer);
  json birth = Birth();
  birth["office_code"] = "101";
  auto refused = service.Call("POST", "/api/v1/births", officer, birth);
  EXPECT_EQ(refused.first, 503) << refused.second;
  EXPECT_EQ(puente::testing::CountRows(db, "births"), 0);
  birth["attest"] = false;
  EXPECT_EQ(service.Call("POST", "/api/v1/births", officer, birth).first, 201);
  EXPECT_EQ(puente::testing::CountRows(db, "births"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, CentreFieldRoutesTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgresql),
                         puente::testing::DialectName);

}  // namespace
}  // namespace puente::server
