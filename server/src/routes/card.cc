// Cards: issue, the card and its QR text, the printable PNG and PDF, and
// replace, renew (after a 1:1 face check) and revoke.
#include "puente/biometrics/image.h"
#include "puente/common/status_macros.h"
#include "puente/credentials/card_render.h"
#include "src/api_json.h"
#include "src/routes/routes.h"

namespace puente::server {
namespace {

using nlohmann::json;
using registry::Role;

absl::Status Issue(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const registry::User& u, Worker& w) {
  if (!ctx.config.issuer) return absl::UnavailableError("no issuer key configured");
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string type_text, StringField(body, "type", "asylum-seeker"));
  PUENTE_ASSIGN_OR_RETURN(credentials::CardType type, credentials::ParseCardType(type_text));
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, w.cards->Issue(u.name, req.matches[1], type));
  ctx.metrics.cards_issued++;
  SendJson(res, CardJson(card), 201);
  return absl::OkStatus();
}

absl::Status ListCards(ServerContext&, const httplib::Request& req, httplib::Response& res,
                       const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(auto cards, w.cards->ListFor(u.name, req.matches[1]));
  json arr = json::array();
  for (const registry::CardSummary& c : cards) arr.push_back(CardSummaryJson(c));
  SendJson(res, {{"cards", arr}});
  return absl::OkStatus();
}

absl::StatusOr<registry::IssuedCard> CardOf(const httplib::Request& req, const registry::User& u,
                                            Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
  return w.cards->Get(u.name, serial);
}

absl::Status GetCard(ServerContext&, const httplib::Request& req, httplib::Response& res,
                     const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, CardOf(req, u, w));
  SendJson(res, CardJson(card));
  return absl::OkStatus();
}

// The portrait the card prints, cut from the enrolled photo ("" when there
// is none or it cannot be decoded).
std::string PortraitOf(const registry::IssuedCard& card) {
  if (card.photo.empty() || card.face_box.size() != 4) return "";
  auto image = biometrics::DecodeImage(card.photo);
  if (!image.ok()) return "";
  return biometrics::PortraitPng(
      *image, cv::Rect(card.face_box[0], card.face_box[1], card.face_box[2], card.face_box[3]));
}

absl::Status GetCardPng(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, CardOf(req, u, w));
  const std::string portrait = PortraitOf(card);
  const credentials::CardArtwork art{&card.card, card.qr_text, portrait};
  PUENTE_ASSIGN_OR_RETURN(std::string png, credentials::RenderCardPng(art));
  res.set_content(png, "image/png");
  return absl::OkStatus();
}

absl::Status GetCardPdf(ServerContext&, const httplib::Request& req, httplib::Response& res,
                        const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, CardOf(req, u, w));
  const std::string portrait = PortraitOf(card);
  const credentials::CardArtwork art{&card.card, card.qr_text, portrait};
  PUENTE_ASSIGN_OR_RETURN(std::string pdf, credentials::RenderCardPdf(art));
  res.set_content(pdf, "application/pdf");
  return absl::OkStatus();
}

absl::Status Revoke(ServerContext&, const httplib::Request& req, httplib::Response& res,
                    const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason"));
  PUENTE_RETURN_IF_ERROR(w.cards->Revoke(u.name, serial, reason));
  SendJson(res, {{"serial", serial}, {"status", "revoked"}});
  return absl::OkStatus();
}

absl::Status Replace(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason"));
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, w.cards->Replace(u.name, serial, reason));
  ctx.metrics.cards_issued++;
  SendJson(res, CardJson(card), 201);
  return absl::OkStatus();
}

absl::Status Renew(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const registry::User& u, Worker& w) {
  PUENTE_ASSIGN_OR_RETURN(uint64_t serial, SerialOf(req.matches[1]));
  PUENTE_ASSIGN_OR_RETURN(json body, JsonBody(req));
  PUENTE_ASSIGN_OR_RETURN(std::string photo, PhotoFromJson(body));
  PUENTE_ASSIGN_OR_RETURN(registry::IssuedCard card, w.cards->Renew(u.name, serial, photo));
  ctx.metrics.cards_issued++;
  SendJson(res, CardJson(card), 201);
  return absl::OkStatus();
}

}  // namespace

std::vector<Route> CardRoutes() {
  constexpr const char* kCard = R"(/api/v1/cards/(\d+))";
  const std::string card = kCard;
  return {
      RoleRoute(Method::kPost, R"(/api/v1/applicants/([0-9A-Za-z-]+)/cards)",
                "/api/v1/applicants/{registration_number}/cards", {Role::kOfficer},
                "Issue a card: {type: asylum-seeker|refugee}", Issue),
      RoleRoute(Method::kGet, R"(/api/v1/applicants/([0-9A-Za-z-]+)/cards)",
                "/api/v1/applicants/{registration_number}/cards",
                {Role::kOfficer, Role::kSupervisor},
                "The cards issued to an applicant, newest first (no QR text)", ListCards),
      RoleRoute(Method::kGet, card, "/api/v1/cards/{serial}", {Role::kOfficer, Role::kSupervisor},
                "A card and its QR text", GetCard),
      RoleRoute(Method::kGet, card + R"(\.png)", "/api/v1/cards/{serial}.png",
                {Role::kOfficer, Role::kSupervisor}, "The card, 300 dpi PNG", GetCardPng),
      RoleRoute(Method::kGet, card + R"(\.pdf)", "/api/v1/cards/{serial}.pdf",
                {Role::kOfficer, Role::kSupervisor}, "The card, print-ready PDF", GetCardPdf),
      // Officers replace and renew; supervisors revoke.
      RoleRoute(Method::kPost, card + "/replace", "/api/v1/cards/{serial}/replace",
                {Role::kOfficer}, "Replace a lost card: {reason}", Replace),
      RoleRoute(Method::kPost, card + "/renew", "/api/v1/cards/{serial}/renew", {Role::kOfficer},
                "Renew after a 1:1 face check: {photo_base64}", Renew),
      RoleRoute(Method::kPost, card + "/revoke", "/api/v1/cards/{serial}/revoke",
                {Role::kSupervisor}, "Revoke: {reason}", Revoke),
  };
}

}  // namespace puente::server
