// Each resource's routes (one file each under routes/), and the signed lists
// that more than one resource serves.
#ifndef PUENTE_SERVER_SRC_ROUTES_ROUTES_H_
#define PUENTE_SERVER_SRC_ROUTES_ROUTES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/context.h"
#include "src/route_table.h"

namespace puente::server {

std::vector<Route> OpsRoutes();         // /health, /metrics, /openapi.json
std::vector<Route> SessionRoutes();     // sessions and users
std::vector<Route> EnrollmentRoutes();  // enrollments, applicants, candidates
std::vector<Route> CaseRoutes();        // cases and their status
std::vector<Route> CardRoutes();        // cards: issue, get, PNG/PDF, replace, renew, revoke
std::vector<Route> ListRoutes();        // trust and revocation lists, the root key
std::vector<Route> KitRoutes();         // field kits: pull, pushed bundles
std::vector<Route> AuditRoutes();       // audit events and chain check
std::vector<Route> FaceRoutes();        // quality checks of camera frames
std::vector<Route> FieldRoutes();       // field-kit mode: jornadas, births, the kit's sync status
std::vector<Route> StatsRoutes();       // statistics releases (analyst, supervisor)

// The signed trust list (configured issuer and active field kits) and the
// signed revocation list, issued now by ctx.clock. Unavailable without the
// root (or, for the trust list, the issuer) key.
absl::StatusOr<std::string> SignedTrustList(ServerContext& ctx);
absl::StatusOr<std::string> SignedRevocationList(ServerContext& ctx);

}  // namespace puente::server

#endif  // PUENTE_SERVER_SRC_ROUTES_ROUTES_H_
