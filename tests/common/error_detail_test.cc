#include "puente/common/error_detail.h"

#include <gtest/gtest.h>

#include "puente/common/status_macros.h"

namespace puente {
namespace {

absl::Status Fails() {
  return WithDetail(absl::InvalidArgumentError("photo: no face"), kDetailReason, "face.none");
}
absl::Status Propagates() {
  PUENTE_RETURN_IF_ERROR(Fails());
  return absl::OkStatus();
}

TEST(ErrorDetailTest, DetailSurvivesPropagation) {
  absl::Status s = Propagates();
  EXPECT_EQ(DetailOf(s, kDetailReason), "face.none");
  EXPECT_EQ(DetailOf(s, kDetailStage), std::nullopt);
}

TEST(ErrorDetailTest, OkStatusCarriesNothing) {
  absl::Status s = WithDetail(absl::OkStatus(), kDetailField, "x");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(DetailOf(s, kDetailField), std::nullopt);
}

TEST(ErrorDetailTest, RewrapKeepsDetailsWithNewMessage) {
  absl::Status s = WithDetail(absl::NotFoundError("a"), kDetailField, "date_of_birth");
  absl::Status r = Rewrap(s, absl::StatusCode::kInvalidArgument, "born_on: b");
  EXPECT_EQ(r.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.message(), "born_on: b");
  EXPECT_EQ(DetailOf(r, kDetailField), "date_of_birth");
  EXPECT_EQ(Rewrap(s, "c").code(), absl::StatusCode::kNotFound);
}

TEST(ErrorDetailTest, LaterDetailReplacesEarlier) {
  absl::Status s = WithDetail(Fails(), kDetailReason, "face.two");
  EXPECT_EQ(DetailOf(s, kDetailReason), "face.two");
}

}  // namespace
}  // namespace puente
