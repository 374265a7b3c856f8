// Demographic matching for deduplication, built for the people enrolled here:
// Spanish and other Latin-script names with or without accents, particles
// ("de", "de la", "del"), two surnames swapped or one omitted, names
// transliterated from other scripts or spelled by ear (Mohamed / Muhammad,
// González / Gonzales), estimated dates of birth, identity document numbers.
//
// Names are folded with ICU (any script to Latin, accents removed, lower
// case). Each match carries its score and the reasons it matched. Pure
// functions; thread-safe.
#ifndef PUENTE_REGISTRY_DEMOGRAPHIC_MATCH_H_
#define PUENTE_REGISTRY_DEMOGRAPHIC_MATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "puente/registry/model.h"

namespace puente::registry {

// "Núñez-Peña" -> "nunez pena"; "Мухаммед" -> "mukhammed"; punctuation to spaces.
std::string FoldName(std::string_view name);

// Folded tokens without particles: "María de la Cruz" -> {"maria", "cruz"}.
std::vector<std::string> NameTokens(std::string_view name);

// A sound key for one folded token: spellings that sound alike in Spanish
// or come from different transliterations share it ("gonzalez", "gonzales"
// -> "gnsls"; "mohamed", "muhammad" -> "mmd").
std::string PhoneticKey(std::string_view token);

// Jaro-Winkler similarity in [0, 1].
double JaroWinkler(std::string_view a, std::string_view b);

struct DemographicRecord {
  std::string given_names;
  std::string surname1;
  std::string surname2;
  DateOfBirth date_of_birth;
  Sex sex = Sex::kUnspecified;
  std::string nationality;
  std::vector<IdentityDocument> documents;
};
DemographicRecord DemographicsOf(const Applicant& a);

struct DemographicMatch {
  double score = 0;       // 0..1; a candidate from kDemographicCandidateThreshold up
  double name_score = 0;  // 0..1
  double dob_score = 0;   // 0..1
  bool same_document = false;
  std::vector<std::string> reasons;  // e.g. "surnames swapped", "same passport VEN A1234567"
};

inline constexpr double kDemographicCandidateThreshold = 0.80;

DemographicMatch CompareDemographics(const DemographicRecord& a, const DemographicRecord& b);

// Keys for finding candidates without decrypting everyone: the sound key of
// each surname token ("sn:<key>") and each document ("doc:<type>:<country>:
// <number>"). Stored as blind indexes.
std::vector<std::string> MatchKeys(const DemographicRecord& r);

}  // namespace puente::registry

#endif  // PUENTE_REGISTRY_DEMOGRAPHIC_MATCH_H_
