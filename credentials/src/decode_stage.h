// Errors that name the decode stage they come from (see DecodeStage in
// credential.h). The stage is both the start of the message, as callers and
// tests read it ("CoseParse: kid must be bytes"), and the typed detail
// kDetailStage, which is what code switches on (DecodeStageOf).
#ifndef PUENTE_CREDENTIALS_SRC_DECODE_STAGE_H_
#define PUENTE_CREDENTIALS_SRC_DECODE_STAGE_H_

#include <string_view>

#include "absl/status/status.h"
#include "puente/credentials/credential.h"

namespace puente::credentials::internal {

// InvalidArgument("<Stage>: <what>") carrying the stage.
absl::Status StageError(DecodeStage stage, std::string_view what);

// A lower layer's error attributed to `stage`: returned as it is when it
// already carries a stage, else as StageError(stage, its message).
absl::Status InStage(DecodeStage stage, const absl::Status& st);

}  // namespace puente::credentials::internal

#endif  // PUENTE_CREDENTIALS_SRC_DECODE_STAGE_H_
