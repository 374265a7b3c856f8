#include "puente/registry/model.h"

#include <gtest/gtest.h>

namespace puente::registry {
namespace {

using S = CaseStatus;

TEST(CaseLifecycleTest, AllowsExactlyTheDocumentedTransitions) {
  const std::vector<std::pair<S, S>> allowed = {
      {S::kRegistered, S::kAdmitted}, {S::kRegistered, S::kClosed}, {S::kAdmitted, S::kRecognized},
      {S::kAdmitted, S::kRejected},   {S::kAdmitted, S::kClosed},   {S::kRejected, S::kAppeal},
      {S::kRejected, S::kClosed},     {S::kAppeal, S::kRecognized}, {S::kAppeal, S::kRejected},
      {S::kAppeal, S::kClosed},       {S::kRecognized, S::kClosed}};
  const S all[] = {S::kRegistered, S::kAdmitted, S::kRecognized,
                   S::kRejected,   S::kAppeal,   S::kClosed};
  for (S from : all) {
    for (S to : all) {
      const bool expected =
          std::find(allowed.begin(), allowed.end(), std::make_pair(from, to)) != allowed.end();
      EXPECT_EQ(IsAllowedTransition(from, to), expected)
          << ToString(from) << " -> " << ToString(to);
    }
  }
}

TEST(ModelNamesTest, RoundTrip) {
  for (auto s :
       {S::kRegistered, S::kAdmitted, S::kRecognized, S::kRejected, S::kAppeal, S::kClosed}) {
    EXPECT_EQ(ParseCaseStatus(ToString(s)), s);
  }
  for (auto r : {Relationship::kPrincipal, Relationship::kSpouse, Relationship::kChild,
                 Relationship::kOtherRelative}) {
    EXPECT_EQ(ParseRelationship(ToString(r)), r);
  }
  EXPECT_EQ(ParseSex("X"), Sex::kUnspecified);
  EXPECT_FALSE(ParseSex("female").has_value());
  EXPECT_FALSE(ParseCaseStatus("pending").has_value());
}

}  // namespace
}  // namespace puente::registry
