// Field-kit mode (docs/field-kits.md; the web app's kit screens, docs/web.md):
// jornadas (list, open, close with their counts), births (register, with the
// birth-registration attestation signed by the kit's key, and the attestation
// as a print-ready PDF) and the kit's sync status. The same registry calls as
// `puente jornada ...` and `puente birth register ...`. Jornadas and births
// also work at the centre (no kit: no kit id, the office code given, the
// attestation signed by the server's issuer key); the sync status is a kit's.
#include <optional>

#include "absl/strings/str_format.h"
#include "puente/common/status_macros.h"
#include "puente/common/strings.h"
#include "puente/credentials/card_render.h"
#include "puente/registry/births.h"
#include "puente/registry/kits.h"
#include "puente/registry/sync.h"
#include "puente/registry/validation.h"
#include "src/api_json.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

constexpr size_t kMaxJornadaOfficers = 20;

absl::Status ListJornadas(ServerContext&, const httplib::Request&, httplib::Response& res,
                          const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(std::vector<registry::Jornada> list,
                          registry::Jornadas(*w.registry).List());
  json arr = json::array();
  for (const registry::Jornada& j : list) arr.push_back(registry::ToJson(j));
  SendJson(res, {{"jornadas", arr}});
  return absl::OkStatus();
}

// body["officers"]: the user names of the team, an array of strings.
absl::StatusOr<std::vector<std::string>> OfficersOf(const json& body) {
  const auto it = body.find("officers");
  std::vector<std::string> out;
  if (it == body.end() || it->is_null()) return out;  // Open says to name one
  if (!it->is_array()) return absl::InvalidArgumentError("officers: must be an array of names");
  if (it->size() > kMaxJornadaOfficers) {
    return absl::InvalidArgumentError(
        absl::StrFormat("officers: %d names, the limit is %d", it->size(), kMaxJornadaOfficers));
  }
  for (const json& o : *it) {
    if (!o.is_string()) return absl::InvalidArgumentError("officers: must be an array of names");
    out.push_back(o.get<std::string>());
  }
  return out;
}

// On a kit the jornada is the kit's; at the centre it belongs to no kit (as
// `puente jornada open`).
absl::Status OpenJornada(ServerContext&, const httplib::Request& req, httplib::Response& res,
                         const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string location, StringField(body, "location_code"));
  PUENTE_ASSIGN_OR_RETURN(const std::string starts_on, StringField(body, "starts_on"));
  PUENTE_ASSIGN_OR_RETURN(const std::string ends_on, StringField(body, "ends_on"));
  PUENTE_ASSIGN_OR_RETURN(std::vector<std::string> officers, OfficersOf(body));
  PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitPublicIdentity(*w.registry));
  PUENTE_ASSIGN_OR_RETURN(registry::Jornada j, registry::Jornadas(*w.registry)
                                                   .Open(u.name, kit ? kit->kit_id : "", location,
                                                         starts_on, ends_on, std::move(officers)));
  SendJson(res, registry::ToJson(j), 201);
  return absl::OkStatus();
}

absl::Status CloseJornada(ServerContext&, const httplib::Request& req, httplib::Response& res,
                          const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::Jornada j,
                          registry::Jornadas(*w.registry).Close(u.name, req.matches[1]));
  SendJson(res, registry::ToJson(j));
  return absl::OkStatus();
}

// What signs attestations here: the kit's key on a kit (provisional), else
// the server's issuer key. Unavailable when neither is there.
absl::StatusOr<registry::CardAuthority> AttestationSigner(ServerContext& ctx, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitIdentity(*w.registry));
  if (kit) return registry::KitCardAuthority(*kit);
  if (!ctx.config.issuer) {
    return absl::UnavailableError("no issuer key configured: attestations cannot be signed");
  }
  return ctx.authority;
}

std::string PdfPath(const std::string& birth_number) {
  return puente::StrCat("/api/v1/births/", birth_number, "/attestation.pdf");
}

json AttestationJson(const std::string& birth_number, const registry::BirthAttestation& a) {
  return {{"serial", a.serial},
          {"type", credentials::CardTypeName(a.card.type)},
          {"provisional", a.card.provisional},
          {"issuer", a.card.issuer},
          {"guardian", a.card.holder.guardian.value_or("")},
          {"issued_at", FormatTimestamp(absl::FromUnixSeconds(a.card.issued_at))},
          {"expires_at", FormatTimestamp(absl::FromUnixSeconds(a.card.expires_at))},
          {"qr_text", a.qr_text},
          {"pdf", PdfPath(birth_number)}};
}

// Registers a birth and, unless "attest": false, issues its attestation. The
// signer is found before anything is stored, so a birth is not left without
// the attestation asked for for want of a key; if signing fails after the
// birth is stored (it stands: one transaction each, as `puente birth
// register --attest`), the answer says so and POST .../attestation retries.
absl::Status RegisterBirth(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                           const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(registry::NewBirth b, registry::NewBirthFromRequestJson(body));
  bool attest = true;
  if (const auto it = body.find("attest"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return absl::InvalidArgumentError("attest: must be true or false");
    attest = it->get<bool>();
  }
  PUENTE_ASSIGN_OR_RETURN(auto kit, registry::LoadKitPublicIdentity(*w.registry));
  if (kit) {
    if (b.office_code.empty()) b.office_code = kit->office_code;
    if (b.office_code != kit->office_code) {
      return absl::InvalidArgumentError(puente::StrCat(
          "office_code: this kit registers births under its own office code ", kit->office_code));
    }
  } else if (b.office_code.empty()) {
    return absl::InvalidArgumentError("office_code: is required outside a field kit");
  }
  std::optional<registry::CardAuthority> signer;
  if (attest) {
    PUENTE_ASSIGN_OR_RETURN(signer, AttestationSigner(ctx, w));
  }
  registry::BirthRegistry births(*w.registry, *w.enrollment);
  PUENTE_ASSIGN_OR_RETURN(registry::Birth birth, births.Register(u.name, std::move(b)));
  json j{{"id", birth.id},
         {"birth_number", birth.birth_number},
         {"office_code", birth.record.office_code},
         {"jornada_id", birth.record.jornada_id},
         {"created_at", birth.created_at},
         {"attestation", nullptr}};
  if (signer) {
    auto att = births.Attest(u.name, birth.birth_number, *signer);
    if (att.ok()) {
      j["attestation"] = AttestationJson(birth.birth_number, *att);
    } else {
      j["attestation_error"] = std::string(att.status().message());
    }
  }
  SendJson(res, j, 201);
  return absl::OkStatus();
}

// The attestation of a birth registered without one (or whose signing failed).
absl::Status AttestBirth(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                         const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::CardAuthority signer, AttestationSigner(ctx, w));
  registry::BirthRegistry births(*w.registry, *w.enrollment);
  const std::string number = req.matches[1];
  PUENTE_ASSIGN_OR_RETURN(registry::BirthAttestation att, births.Attest(u.name, number, signer));
  SendJson(res, AttestationJson(number, att), 201);
  return absl::OkStatus();
}

absl::Status AttestationPdf(ServerContext&, const httplib::Request& req, httplib::Response& res,
                            const registry::User& u, Worker& w) {
  registry::BirthRegistry births(*w.registry, *w.enrollment);
  PUENTE_ASSIGN_OR_RETURN(registry::Birth birth, births.Get(u.name, req.matches[1]));
  PUENTE_ASSIGN_OR_RETURN(registry::BirthAttestation att, registry::StoredAttestation(birth));
  const credentials::CardArtwork art{&att.card, att.qr_text, ""};
  PUENTE_ASSIGN_OR_RETURN(std::string pdf, credentials::RenderCardPdf(art));
  res.set_header("Content-Disposition",
                 puente::StrCat("inline; filename=\"attestation-", birth.birth_number, ".pdf\""));
  res.set_content(pdf, "application/pdf");
  return absl::OkStatus();
}

absl::Status GetSyncStatus(ServerContext&, const httplib::Request&, httplib::Response& res,
                           const registry::User&, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::SyncStatus s, registry::KitSyncStatus(*w.registry));
  SendJson(res, registry::ToJson(s));
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> FieldRoutes() {
  constexpr const char* kBirth = R"(/api/v1/births/([0-9A-Za-z-]+))";
  return {
      RoleRoute(Method::kGet, "/api/v1/jornadas", "/api/v1/jornadas",
                {Role::kOfficer, Role::kSupervisor},
                "Jornadas (registration days), oldest first: {jornadas: [...]}", ListJornadas),
      RoleRoute(Method::kPost, "/api/v1/jornadas", "/api/v1/jornadas",
                {Role::kOfficer, Role::kSupervisor},
                "Open a jornada: {location_code, starts_on, ends_on, officers: [names]} -> 201 "
                "the jornada (the kit's, on a kit)",
                OpenJornada),
      RoleRoute(Method::kPost, R"(/api/v1/jornadas/([0-9a-f-]{36})/close)",
                "/api/v1/jornadas/{id}/close", {Role::kOfficer, Role::kSupervisor},
                "Close a jornada -> the jornada with its counts (births, attestations, "
                "enrollments, held_for_adjudication)",
                CloseJornada),
      RoleRoute(Method::kPost, "/api/v1/births", "/api/v1/births", {Role::kOfficer},
                "Register a birth: {given_names, surname1, surname2, sex, born_on, born_at, "
                "place_code, place, facility, jornada_id, office_code (outside a kit), parents: "
                "[{role, registration_number | full_name, nationality, document}], attest} -> 201 "
                "{birth_number, attestation: {serial, provisional, pdf, ...}}",
                RegisterBirth),
      RoleRoute(Method::kPost, std::string(kBirth) + "/attestation",
                "/api/v1/births/{registration_number}/attestation", {Role::kOfficer},
                "Issue the attestation of a birth that has none -> 201 the attestation",
                AttestBirth),
      RoleRoute(Method::kGet, std::string(kBirth) + R"(/attestation\.pdf)",
                "/api/v1/births/{registration_number}/attestation.pdf",
                {Role::kOfficer, Role::kSupervisor},
                "The birth-registration attestation as a print-ready PDF", AttestationPdf),
      RoleRoute(Method::kGet, "/api/v1/kit/sync", "/api/v1/kit/sync",
                {Role::kOfficer, Role::kSupervisor},
                "A field kit's sync status: waiting to export, last export, push and pull, the "
                "lists' age (409 outside a kit)",
                GetSyncStatus),
  };
}

}  // namespace puente::server
