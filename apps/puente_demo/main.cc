// puente-demo: the main job's client. Against a running puente-server it
// enrolls every photo of a labelled folder (one sub-folder per person, like
// ../shared/faces/dev), shows the duplicates found, decides them as a
// supervisor would (here with the folder names as the truth), issues cards as
// PNG and PDF, and checks some offline with puente-verify.
//
//   puente-demo --url http://127.0.0.1:8080 --faces ../shared/faces/dev --out var/demo/service
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "puente/crypto/encoding.h"
#include "support/key_material.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Api {
  httplib::Client client;
  std::string token;
  explicit Api(const std::string& url) : client(url) { client.set_read_timeout(120); }
  httplib::Headers Auth() const { return {{"Authorization", "Bearer " + token}}; }
  std::pair<int, json> Post(const std::string& path, const json& body) {
    auto r = client.Post(path.c_str(), Auth(), body.dump(), "application/json");
    if (!r) return {-1, json{{"error", {{"message", "no response"}}}}};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, std::string> Get(const std::string& path) {
    auto r = client.Get(path.c_str(), Auth());
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  bool Login(const std::string& user, const std::string& password) {
    auto r = client.Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                         "application/json");
    if (!r || r->status != 201) return false;
    token = json::parse(r->body)["token"];
    return true;
  }
};

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

void Step(const std::string& s) { std::cout << "\n\033[1m== " << s << "\033[0m\n"; }

// The demo's story, one step a method, with what the steps pass on.
struct Demo {
  Api& officer;
  Api& supervisor;
  std::string out;
  std::map<std::string, std::string> person_of;  // registration number -> folder
  std::map<std::string, std::string> first_reg;  // folder -> first registration number
  std::map<std::string, std::vector<std::string>> photos_of;
  std::vector<json> held_enrollments;
  std::vector<std::pair<std::string, std::string>> issued;  // serial, folder

  // Every photo of every person folder through the enrollment API.
  void EnrollFolder(const std::string& faces) {
    std::vector<fs::path> people;
    for (const auto& d : fs::directory_iterator(faces)) {
      if (d.is_directory()) people.push_back(d.path());
    }
    std::sort(people.begin(), people.end());
    int cleared = 0, held = 0, refused = 0;
    for (const fs::path& person : people) {
      std::vector<fs::path> photos;
      for (const auto& f : fs::directory_iterator(person)) photos.push_back(f.path());
      std::sort(photos.begin(), photos.end());
      std::string folder = person.filename().string();
      std::string given = folder.substr(0, folder.find('_'));
      std::string surname =
          folder.find('_') == std::string::npos ? "" : folder.substr(folder.find('_') + 1);
      std::replace(surname.begin(), surname.end(), '_', ' ');
      for (const fs::path& photo : photos) {
        photos_of[folder].push_back(photo.string());
        auto bytes = puente::apps::ReadFile(photo.string());
        json body{{"applicant",
                   {{"given_names", given},
                    {"surname1", surname},
                    {"sex", "X"},
                    {"date_of_birth", "1975"},
                    {"dob_precision", "year"},
                    {"nationality", "XXX"},
                    {"office_code", "101"}}},
                  {"photo_base64", puente::crypto::Base64Encode(bytes.ok() ? *bytes : "")}};
        auto [status, e] = officer.Post("/api/v1/enrollments", body);
        if (status != 201) {
          ++refused;
          continue;
        }
        const std::string reg_no = e["applicant"]["registration_number"];
        person_of[reg_no] = folder;
        if (!first_reg.count(folder)) first_reg[folder] = reg_no;
        if (e["status"] == "held") {
          ++held;
          held_enrollments.push_back(e);
        } else {
          ++cleared;
        }
      }
    }
    std::cout << absl::StrFormat(
        "%d enrolled and cleared, %d held as possible duplicates, "
        "%d refused by the quality gate\n",
        cleared, held, refused);
  }

  // Each held enrollment decided, with the folder names as the truth.
  void Adjudicate() {
    int same = 0, different = 0, shown = 0;
    for (const json& e : held_enrollments) {
      const std::string reg_no = e["applicant"]["registration_number"];
      for (const json& c : e["candidates"]) {
        if (!c["decision"].is_null()) continue;
        const bool is_same = person_of[reg_no] == person_of[c["registration_number"]];
        if (shown < 6) {
          std::vector<std::string> reasons = c["reasons"];
          std::string r;
          for (const auto& x : reasons) r += (r.empty() ? "" : ", ") + x;
          std::cout << absl::StrFormat("  %s vs %s: %s -> %s\n", reg_no,
                                       c["registration_number"].get<std::string>(), r,
                                       is_same ? "SAME PERSON" : "different");
          ++shown;
        }
        auto [status, after] = supervisor.Post(
            "/api/v1/candidates/" + c["id"].get<std::string>() + "/decision",
            {{"decision", is_same ? "same_person" : "different"},
             {"note", is_same ? "same person in both photos" : "different people"}});
        if (status != 200) break;  // an enrollment already marked duplicate
        (is_same ? same : different)++;
        if (after["status"] == "duplicate") break;
      }
    }
    std::cout << absl::StrFormat(
        "%d decided same person (linked, flagged), %d decided different "
        "(cleared)\n",
        same, different);
  }

  // Cards for the first people (keeping a second photo for the live check).
  void IssueCards(int max_cards) {
    for (const auto& [folder, reg_no] : first_reg) {
      if (static_cast<int>(issued.size()) >= max_cards) break;
      if (photos_of[folder].size() < 2) continue;  // keep a second photo for the live check
      auto [status, card] =
          officer.Post("/api/v1/applicants/" + reg_no + "/cards", {{"type", "asylum-seeker"}});
      if (status != 201) continue;
      const std::string serial = std::to_string(card["serial"].get<uint64_t>());
      for (const char* ext : {".png", ".pdf"}) {
        auto [s, bytes] = officer.Get("/api/v1/cards/" + serial + ext);
        std::ofstream(out + "/card-" + serial + ext, std::ios::binary) << bytes;
      }
      std::cout << "  card " << serial << " for " << reg_no << " (" << folder << "): " << out
                << "/card-" << serial << ".png, .pdf\n";
      issued.emplace_back(serial, folder);
    }
  }

  // The cards checked with puente-verify, then one revoked and checked again.
  void VerifyOffline(const std::string& verify_bin, const std::string& institution_key,
                     const std::string& models) {
    auto save = [&](const std::string& path, const std::string& file) {
      auto [s, bytes] = officer.Get(path);
      std::ofstream(out + "/" + file, std::ios::binary) << bytes;
    };
    save("/api/v1/keys/root", "root.pub.json");
    save("/api/v1/lists/trust", "trust.cbor");
    save("/api/v1/lists/revocation", "revoked.cbor");
    auto verify = [&](const std::string& serial, const std::string& folder) {
      std::string cmd = verify_bin + " '" + out + "/card-" + serial + ".png' --root '" + out +
                        "/root.pub.json' --trust-list '" + out +
                        "/trust.cbor' --revocation-list '" + out + "/revoked.cbor'";
      if (!institution_key.empty()) {
        cmd += " --institution-key '" + institution_key + "' --face '" + photos_of[folder][1] + "'";
        if (!models.empty()) cmd += " --models '" + models + "'";
      }
      std::cout << Run(cmd);
    };
    for (const auto& [serial, folder] : issued) verify(serial, folder);

    if (!issued.empty()) {
      Step("card " + issued[0].first +
           " reported stolen: revoked, the new list downloaded, checked again");
      supervisor.Post("/api/v1/cards/" + issued[0].first + "/revoke", {{"reason", "stolen"}});
      save("/api/v1/lists/revocation", "revoked.cbor");
      verify(issued[0].first, issued[0].second);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:8080", faces, out = "var/demo/service", admin_password;
  std::string verify_bin = "build/apps/puente-verify", institution_key, models;
  int cards = 3;
  CLI::App app{"puente-demo: enroll a labelled photo folder through puente-server"};
  app.add_option("--url", url, "Server URL");
  app.add_option("--faces", faces, "Labelled folder: one sub-folder per person")->required();
  app.add_option("--out", out, "Where cards and lists are written");
  app.add_option("--admin-password", admin_password, "The admin's password")
      ->envname("PUENTE_ADMIN_PASSWORD");
  app.add_option("--verify-bin", verify_bin, "puente-verify binary");
  app.add_option("--institution-key", institution_key,
                 "Institution private key for the sealed section");
  app.add_option("--models", models, "Face models directory (for puente-verify --face)");
  app.add_option("--cards", cards, "How many cards to issue (default 3)");
  CLI11_PARSE(app, argc, argv);
  fs::create_directories(out);

  Api admin(url), officer(url), supervisor(url);
  Demo demo{officer, supervisor, out};
  if (!admin.Login("admin", admin_password)) {
    std::cerr << "puente-demo: cannot log in as admin at " << url << "\n";
    return 1;
  }
  for (auto [name, role] :
       {std::pair{"ana.officer", "officer"}, std::pair{"sara.supervisor", "supervisor"}}) {
    admin.Post("/api/v1/users", {{"name", name}, {"role", role}, {"password", "demo-password-1"}});
  }
  officer.Login("ana.officer", "demo-password-1");
  supervisor.Login("sara.supervisor", "demo-password-1");

  Step("enrolling every photo of " + faces + " as officer ana.officer (quality gate + 1:N dedup)");
  demo.EnrollFolder(faces);
  Step("the supervisor adjudicates each held enrollment (the folder names are the truth here)");
  demo.Adjudicate();
  Step("cards for the first people, as PNG (300 dpi) and PDF");
  demo.IssueCards(cards);
  Step("verifying offline with puente-verify (lists and root key downloaded once)");
  demo.VerifyOffline(verify_bin, institution_key, models);
  std::cout << "\nCards, lists and keys: " << out << "\n";
  return 0;
}
