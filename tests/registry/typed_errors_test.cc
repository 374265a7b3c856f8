#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "puente/common/error_detail.h"
#include "puente/registry/validation.h"

namespace puente::registry {
namespace {

TEST(TypedErrorsTest, ValidationErrorsNameTheirFieldAsADetail) {
  auto d = ParseDateOfBirth("2031-02-30", DatePrecision::kExact, absl::Now());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(DetailOf(d.status(), kDetailField), "date_of_birth");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TypedErrorsTest, DateErrorsCanNameAnotherField) {
  auto d = ParseDateOfBirth("not a date", DatePrecision::kExact, absl::Now(), "born_on");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(DetailOf(d.status(), kDetailField), "born_on");
  EXPECT_EQ(d.status().message().substr(0, 9), "born_on: ");
}

}  // namespace
}  // namespace puente::registry
