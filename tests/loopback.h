// Clients that connect from a loopback address of their own (any 127.x.y.z:
// Linux routes all of 127/8 to lo), for the tests and benchmarks that play
// several client hosts against one server: its front counts connections and
// failed logins by the connection's real source address.
#ifndef PUENTE_TESTS_LOOPBACK_H_
#define PUENTE_TESTS_LOOPBACK_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>

namespace puente::testing {

// A blocking TCP connection from `from` to 127.0.0.1:`port`; reads and writes
// time out after `timeout_s`. -1 if it cannot be made.
inline int ConnectFrom(const std::string& from, int port, int timeout_s) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// An HTTP/1.1 POST of the JSON `body` to `path` that asks the server to close
// the connection after it; `extra_header` is one more header line, or "".
inline std::string JsonPostRequest(const std::string& path, const std::string& body,
                                   const std::string& extra_header = "") {
  std::string r = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  if (!extra_header.empty()) r += extra_header + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  return r;
}

// JsonPostRequest sent from `from` on a connection of its own: the answer's
// status and body, or {-1, ""} without one.
inline std::pair<int, std::string> PostJsonFrom(const std::string& from, int port,
                                                const std::string& path, const std::string& body,
                                                const std::string& extra_header = "",
                                                int timeout_s = 60) {
  const int fd = ConnectFrom(from, port, timeout_s);
  if (fd < 0) return {-1, ""};
  const std::string request = JsonPostRequest(path, body, extra_header);
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    answer.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t end = answer.find("\r\n\r\n");
  if (answer.size() < 12 || end == std::string::npos) return {-1, ""};
  return {std::atoi(answer.substr(9, 3).c_str()), answer.substr(end + 4)};
}

}  // namespace puente::testing

#endif  // PUENTE_TESTS_LOOPBACK_H_
