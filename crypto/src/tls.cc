#include "puente/crypto/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace puente::crypto {

struct TlsServerContext::Impl {
  SSL_CTX* ctx = nullptr;
  ~Impl() { SSL_CTX_free(ctx); }
};

struct TlsStream::Impl {
  SSL* ssl = nullptr;
  ~Impl() { SSL_free(ssl); }

  TlsIo Outcome(int r) {
    switch (SSL_get_error(ssl, r)) {
      case SSL_ERROR_WANT_READ:
        return TlsIo::kWantRead;
      case SSL_ERROR_WANT_WRITE:
        return TlsIo::kWantWrite;
      case SSL_ERROR_ZERO_RETURN:
        return TlsIo::kClosed;
      default:
        ERR_clear_error();
        return TlsIo::kError;
    }
  }
};

TlsServerContext::TlsServerContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsServerContext::~TlsServerContext() = default;

absl::StatusOr<std::unique_ptr<TlsServerContext>> TlsServerContext::Load(
    const std::string& cert_chain_file, const std::string& key_file) {
  auto impl = std::make_unique<Impl>();
  impl->ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* ctx = impl->ctx;
  if (ctx == nullptr || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate_chain_file(ctx, cert_chain_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("TLS certificate or key cannot be loaded");
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return std::unique_ptr<TlsServerContext>(new TlsServerContext(std::move(impl)));
}

std::unique_ptr<TlsStream> TlsServerContext::Accept(int fd) const {
  auto s = std::make_unique<TlsStream::Impl>();
  s->ssl = SSL_new(impl_->ctx);
  if (s->ssl == nullptr || SSL_set_fd(s->ssl, fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(s->ssl);
  return std::make_unique<TlsStream>(std::move(s));
}

TlsStream::TlsStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsStream::~TlsStream() = default;

TlsIo TlsStream::Handshake() {
  const int r = SSL_do_handshake(impl_->ssl);
  return r == 1 ? TlsIo::kDone : impl_->Outcome(r);
}

TlsIo TlsStream::Read(char* buf, size_t n, size_t* got) {
  size_t done = 0;
  const int r = SSL_read_ex(impl_->ssl, buf, n, &done);
  if (r == 1) {
    *got = done;
    return TlsIo::kDone;
  }
  return impl_->Outcome(r);
}

TlsIo TlsStream::Write(const char* buf, size_t n, size_t* put) {
  size_t done = 0;
  const int r = SSL_write_ex(impl_->ssl, buf, n, &done);
  if (r == 1) {
    *put = done;
    return TlsIo::kDone;
  }
  return impl_->Outcome(r);
}

void TlsStream::Shutdown() {
  SSL_shutdown(impl_->ssl);
  ERR_clear_error();
}

}  // namespace puente::crypto
