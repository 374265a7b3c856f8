// POST /api/v1/faces/check over HTTP on a real server with the real models:
// a good dev photo passes with its face box, a frame without a face and a
// frame with two people say why, bad input is a 400 naming the field, and
// only officers may call it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "biometrics/biometrics_test_support.h"
#include "puente/crypto/encoding.h"
#include "puente/server/server.h"
#include "server/scoped_server.h"
#include "test_support.h"

namespace puente::server {
namespace {

using nlohmann::json;
using puente::testing::DevPhoto;
using puente::testing::ReadBytes;

std::string Jpeg(const cv::Mat& img) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf);
  return std::string(buf.begin(), buf.end());
}

class FaceCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const crypto::SecretKey master = puente::testing::NewMasterKey();
    ASSERT_NE(puente::testing::OpenMigratedRegistry(db_, master), nullptr);
    ServerConfig config(master);
    config.db_url = db_.url();
    config.models_dir = puente::testing::ModelsDirForTests();
    config.workers = 1;
    server_ = std::make_unique<puente::testing::ScopedServer>(std::move(config));
    ASSERT_TRUE(server_->status().ok()) << server_->status();
    ASSERT_TRUE(server_->server().EnsureAdmin("admin", "admin-password-1").ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60);
    const std::string admin = Login("admin", "admin-password-1");
    for (auto [name, role] : {std::pair{"ana", "officer"}, std::pair{"sara", "supervisor"}}) {
      auto r = client_->Post(
          "/api/v1/users", {{"Authorization", "Bearer " + admin}},
          json{{"name", name}, {"role", role}, {"password", "password of " + std::string(name)}}
              .dump(),
          "application/json");
      ASSERT_TRUE(r && r->status == 201);
    }
    officer_ = Login("ana", "password of ana");
  }
  std::string Login(const std::string& user, const std::string& password) {
    auto r = client_->Post("/api/v1/sessions", json{{"user", user}, {"password", password}}.dump(),
                           "application/json");
    return r && r->status == 201 ? json::parse(r->body)["token"].get<std::string>() : "";
  }
  std::pair<int, json> Check(const std::string& token, const json& body) {
    auto r = client_->Post("/api/v1/faces/check", {{"Authorization", "Bearer " + token}},
                           body.dump(), "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> CheckPhoto(const std::string& bytes) {
    return Check(officer_, {{"photo_base64", crypto::Base64Encode(bytes)}});
  }

  puente::testing::TestDatabase db_{registry::Dialect::kSqlite};
  std::unique_ptr<puente::testing::ScopedServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string officer_;
};

TEST_F(FaceCheckTest, AGoodPhotoPassesWithItsFaceBox) {
  const std::string bytes = ReadBytes(DevPhoto("Ashanti", 1));
  const cv::Mat img =
      cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
  auto [status, j] = CheckPhoto(bytes);
  ASSERT_EQ(status, 200) << j;
  EXPECT_TRUE(j["passed"].get<bool>()) << j;
  EXPECT_EQ(j["face_count"], 1);
  EXPECT_TRUE(j["issues"].empty());
  const json& box = j["box"];
  EXPECT_GT(box["width"].get<int>(), 20);
  EXPECT_GE(box["x"].get<int>() + box["width"].get<int>() / 2, 0);
  EXPECT_LE(box["x"].get<int>() + box["width"].get<int>() / 2, img.cols);
  EXPECT_LE(box["y"].get<int>() + box["height"].get<int>() / 2, img.rows);
  EXPECT_FALSE(j.contains("template")) << "a check computes and returns no template";
}

TEST_F(FaceCheckTest, AFrameWithoutAFaceOrWithTwoPeopleSaysWhy) {
  auto [status, none] = CheckPhoto(Jpeg(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150))));
  ASSERT_EQ(status, 200) << none;
  EXPECT_FALSE(none["passed"].get<bool>());
  EXPECT_EQ(none["face_count"], 0);
  ASSERT_FALSE(none["issues"].empty());
  EXPECT_EQ(none["issues"][0]["code"], "no_face");
  EXPECT_EQ(none["issues"][0]["reason"], "face.none");

  // Two people side by side, both facing the camera.
  const std::string a = ReadBytes(DevPhoto("Ashanti", 1)), b = ReadBytes(DevPhoto("Ashanti", 2));
  cv::Mat left = cv::imdecode(std::vector<uchar>(a.begin(), a.end()), cv::IMREAD_COLOR);
  cv::Mat right = cv::imdecode(std::vector<uchar>(b.begin(), b.end()), cv::IMREAD_COLOR);
  cv::resize(right, right, left.size());
  cv::Mat both;
  cv::hconcat(left, right, both);
  auto [status2, two] = CheckPhoto(Jpeg(both));
  ASSERT_EQ(status2, 200) << two;
  EXPECT_FALSE(two["passed"].get<bool>()) << two;
  EXPECT_GE(two["face_count"].get<int>(), 2);
  bool multiple = false;
  for (const json& i : two["issues"]) multiple = multiple || i["code"] == "multiple_faces";
  EXPECT_TRUE(multiple) << two;
}

TEST_F(FaceCheckTest, BadInputIsA400NamingTheField) {
  auto [s1, j1] = Check(officer_, {{"photo_base64", "not base64 !!"}});
  EXPECT_EQ(s1, 400);
  EXPECT_NE(j1.dump().find("photo_base64"), std::string::npos) << j1;
  auto [s2, j2] = Check(officer_, json::object());
  EXPECT_EQ(s2, 400);
  EXPECT_NE(j2.dump().find("photo_base64"), std::string::npos) << j2;
  auto [s3, j3] = CheckPhoto("GIF89a not really an image");
  EXPECT_EQ(s3, 400) << j3;
}

TEST_F(FaceCheckTest, OnlyOfficersMayCheckFaces) {
  const std::string supervisor = Login("sara", "password of sara");
  auto [status, j] = Check(
      supervisor, {{"photo_base64", crypto::Base64Encode(ReadBytes(DevPhoto("Ashanti", 1)))}});
  EXPECT_EQ(status, 403) << j;
  auto r =
      client_->Post("/api/v1/faces/check", json{{"photo_base64", ""}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

}  // namespace
}  // namespace puente::server
