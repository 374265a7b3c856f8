// Errors that name the decode stage they come from, as credentials'
// DecodeStage does ("CoseParse: kid must be bytes"). `reason` is the typed
// detail the verifier switches on (an unknown kid, a wrong algorithm).
export type DecodeStage =
  | 'Base45Decode'
  | 'Decompress'
  | 'CoseParse'
  | 'CwtParse'
  | 'Claim169NotFound'
  | 'Claim169Invalid'
  | 'Decrypt'
  | 'Signature';

export type SignatureReason = 'unknown_kid' | 'wrong_algorithm';

export class StageError extends Error {
  constructor(
    readonly stage: DecodeStage,
    what: string,
    readonly reason?: SignatureReason,
  ) {
    super(what.startsWith(`${stage}: `) ? what : `${stage}: ${what}`);
  }
}
