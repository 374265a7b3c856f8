// QR reading on the phone: the rear camera, scanned continuously, or a
// photo. zxing-cpp compiled to WebAssembly (zxing-wasm's reader build); its
// .wasm is served from this folder — the package's default loader would
// fetch it from a CDN, which an offline phone (and this app's CSP) refuses.
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

prepareZXingModule({
  overrides: { locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? new URL(file, location.href).href : prefix + file) },
});

const OPTIONS: ReaderOptions = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 };

/** Starts the reader's WebAssembly (the first read would otherwise pay for it). */
export function warmUp(): Promise<unknown> {
  return prepareZXingModule({ fireImmediately: true });
}

/** The text of the first QR code in an image (a file the user picked), or null. */
export async function readImage(image: Blob | ImageData): Promise<string | null> {
  const results = await readBarcodes(image, OPTIONS);
  const r = results.find((x) => x.isValid && x.text);
  return r ? r.text : null;
}

export interface CameraControls {
  torch: boolean;
  zoom?: { min: number; max: number; step: number; value: number };
}

// Torch and zoom are in Chromium's capabilities, not yet in TypeScript's DOM types.
type Capabilities = MediaTrackCapabilities & { torch?: boolean; zoom?: { min: number; max: number; step?: number } };
type Track = MediaStreamTrack;

/** The rear camera, read frame after frame until a QR code is found. */
export class Scanner {
  private stream: MediaStream | null = null;
  private running = false;
  private shown: string | null = null; // the text of the last card reported
  private missed = 0; // frames since it was last seen
  private readonly canvas = document.createElement('canvas');

  constructor(private readonly video: HTMLVideoElement, private readonly onText: (text: string, frameAt: number) => void) {}

  /** Throws the getUserMedia error (no camera, permission refused). */
  async start(): Promise<CameraControls> {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.playsInline = true;
    await this.video.play();
    this.running = true;
    void this.loop();
    return this.controls();
  }

  stop(): void {
    this.running = false;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  private track(): Track | undefined {
    return this.stream?.getVideoTracks()[0] as Track | undefined;
  }

  private controls(): CameraControls {
    const track = this.track();
    const caps = track?.getCapabilities?.() as Capabilities | undefined;
    const c: CameraControls = { torch: caps?.torch === true };
    if (caps?.zoom && caps.zoom.max > caps.zoom.min) {
      const settings = track!.getSettings() as MediaTrackSettings & { zoom?: number };
      c.zoom = { min: caps.zoom.min, max: caps.zoom.max, step: caps.zoom.step ?? 0.1, value: settings.zoom ?? caps.zoom.min };
    }
    return c;
  }

  async setTorch(on: boolean): Promise<void> {
    await this.track()?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
  }

  async setZoom(value: number): Promise<void> {
    await this.track()?.applyConstraints({ advanced: [{ zoom: value } as MediaTrackConstraintSet] });
  }

  // One frame at a time: grab, read (about 20–60 ms here), then the next.
  private async loop(): Promise<void> {
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    while (this.running) {
      const w = this.video.videoWidth;
      const hgt = this.video.videoHeight;
      if (w > 0 && hgt > 0) {
        const frameAt = performance.now();
        this.canvas.width = w;
        this.canvas.height = hgt;
        ctx.drawImage(this.video, 0, 0, w, hgt);
        let text: string | null = null;
        try {
          text = await readImage(ctx.getImageData(0, 0, w, hgt));
        } catch {
          text = null; // an unreadable frame: the next one
        }
        // The card just verified, still in front of the camera, is not
        // verified again until it has left the picture (a few frames
        // without it: one unreadable frame is not enough).
        if (text !== this.shown && ++this.missed >= 5) this.shown = null;
        if (text === this.shown) this.missed = 0;
        if (text && text !== this.shown && this.running) {
          this.running = false;
          this.shown = text;
          this.missed = 0;
          this.onText(text, frameAt);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  /** Scanning again after a verdict, with the same camera. */
  resume(): void {
    if (!this.stream || this.running) return;
    this.running = true;
    void this.loop();
  }

  pause(): void {
    this.running = false;
  }
}
