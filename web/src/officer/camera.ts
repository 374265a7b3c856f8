// The live camera for a face photo: the picture with the detected face box,
// the quality reasons in plain words, a capture button enabled only while
// the frame passes (POST /api/v1/faces/check, a few frames a second). Or a
// photo file. Frames are never kept: only the captured photo, in memory.
import * as api from './api';
import { h, replace } from '../common/dom';
import { t, tMaybe } from './i18n';
import { blobUrl, errorText, sessionEnded } from './ui';

export interface FaceCheck {
  passed: boolean;
  issues: { code: string; message: string }[];
  remarks: { code: string; message: string }[];
  face_count: number;
  box?: { x: number; y: number; width: number; height: number };
}

export function checkFace(photoBase64: string): Promise<FaceCheck> {
  return api.call<FaceCheck>('POST', '/api/v1/faces/check', { photo_base64: photoBase64 });
}

export async function blobToBase64(b: Blob): Promise<string> {
  const bytes = new Uint8Array(await b.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// A quality problem said to the applicant: "acérquese", "mire de frente"...
export function qualityText(code: string): string {
  return tMaybe(`quality.${code}`) ?? code;
}

export interface Photo {
  base64: string;
  url: string;  // an object URL for the preview
}

// Between checks of the live picture; each check waits for the previous.
const kCheckIntervalMs = 250;
// The width of the frames checked for guidance: the detector's cost grows
// with the pixels (docs/web.md, "Figures"); the photo taken is full size.
const kGuideWidth = 640;

// Cameras open on the screen; all stopped when the screen changes.
const open = new Set<FaceCamera>();

export function stopCameras(): void {
  for (const c of [...open]) c.stop();
}

export class FaceCamera {
  readonly element: HTMLElement;
  private video = h('video', { id: 'camera-video', autoplay: true, muted: true, playsinline: true });
  private overlay = h('canvas', { id: 'camera-overlay', 'aria-hidden': 'true' });
  private status = h('p', { id: 'camera-status', role: 'status', 'aria-live': 'polite' });
  private capture = h('button', { type: 'button', id: 'camera-capture', disabled: true }, t('camera.capture'));
  private start = h('button', { type: 'button', id: 'camera-start' }, t('camera.start'));
  private preview = h('div', { id: 'camera-preview' });
  private viewer = h('div', { class: 'viewer', hidden: true }, this.video, this.overlay);
  private stream: MediaStream | null = null;
  private taking = false;
  private timer = 0;
  private photo: Photo | null = null;

  constructor(private readonly onPhoto: (p: Photo | null) => void) {
    const file = h('input', { type: 'file', id: 'camera-file', accept: 'image/jpeg,image/png' });
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void this.useFile(f);
      file.value = '';
    });
    this.start.addEventListener('click', () => void this.open());
    this.capture.addEventListener('click', () => void this.take());
    this.element = h(
      'fieldset',
      { class: 'camera', id: 'camera' },
      h('legend', {}, t('camera.legend')),
      this.viewer,
      this.status,
      h('div', { class: 'actions' }, this.start, this.capture,
        h('label', { for: 'camera-file', class: 'file' }, t('camera.file')), file),
      this.preview,
    );
  }

  current(): Photo | null {
    return this.photo;
  }

  // Forgets the photo (a new person at the counter).
  clear(): void {
    this.photo = null;
    replace(this.preview);
    this.onPhoto(null);
  }

  async open(): Promise<void> {
    if (this.stream) return;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' },
        audio: false,
      });
    } catch {
      this.say(t('camera.unavailable'), 'error');
      return;
    }
    open.add(this);
    this.viewer.hidden = false;
    this.video.srcObject = this.stream;
    await this.video.play().catch(() => {});
    this.start.disabled = true;
    this.say(t('camera.looking'));
    this.loop();
  }

  stop(): void {
    open.delete(this);
    window.clearTimeout(this.timer);
    this.timer = 0;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.viewer.hidden = true;
    this.start.disabled = false;
    this.capture.disabled = true;
    const g = this.overlay.getContext('2d');
    g?.clearRect(0, 0, this.overlay.width, this.overlay.height);
  }

  private say(text: string, kind: 'ok' | 'problem' | 'error' | '' = ''): void {
    this.status.textContent = text;
    this.status.className = kind;
  }

  // The live picture as a JPEG, at most `maxWidth` pixels wide; `scale` is
  // the size sent over the picture's (box coordinates are in the former).
  private async frame(maxWidth = Infinity): Promise<{ blob: Blob; scale: number } | null> {
    const w = this.video.videoWidth;
    const hgt = this.video.videoHeight;
    if (!w || !hgt) return null;
    const scale = Math.min(1, maxWidth / w);
    const c = document.createElement('canvas');
    c.width = Math.round(w * scale);
    c.height = Math.round(hgt * scale);
    c.getContext('2d')!.drawImage(this.video, 0, 0, c.width, c.height);
    const blob = await new Promise<Blob | null>((resolve) => c.toBlob((b) => resolve(b), 'image/jpeg', 0.92));
    return blob ? { blob, scale } : null;
  }

  private drawBox(check: FaceCheck | null, scale = 1): void {
    const w = this.video.videoWidth;
    const hgt = this.video.videoHeight;
    this.overlay.width = w;
    this.overlay.height = hgt;
    const g = this.overlay.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, w, hgt);
    if (!check?.box) return;
    g.lineWidth = Math.max(3, w / 200);
    g.strokeStyle = check.passed ? '#1f8a3a' : '#d0021b';
    const b = check.box;
    g.strokeRect(b.x / scale, b.y / scale, b.width / scale, b.height / scale);
  }

  private loop(): void {
    if (!this.stream) return;
    this.timer = window.setTimeout(async () => {
      await this.checkOnce();
      this.loop();
    }, kCheckIntervalMs);
  }

  private showCheck(check: FaceCheck): void {
    if (check.passed) {
      const remarks = check.remarks.map((r) => qualityText(r.code));
      this.say([t('camera.good'), ...remarks].join(' · '), 'ok');
    } else {
      this.say(check.issues.map((i) => qualityText(i.code)).join(' · '), 'problem');
    }
  }

  // Guidance: a downscaled frame (kGuideWidth) checked a few times a second;
  // the capture button follows its verdict.
  private async checkOnce(): Promise<void> {
    const f = await this.frame(kGuideWidth);
    if (!f || !this.stream || this.taking) return;
    try {
      let check = await checkFace(await blobToBase64(f.blob));
      let scale = f.scale;
      // Too small only at the guidance size: the full frame decides (its
      // eyes are 1/scale times further apart).
      if (!check.passed && scale < 1 && check.issues.every((i) => i.code === 'face_too_small')) {
        const full = await this.frame();
        if (full) {
          check = await checkFace(await blobToBase64(full.blob));
          scale = 1;
        }
      }
      if (!this.stream || this.taking) return;
      this.drawBox(check, scale);
      this.capture.disabled = !check.passed;
      this.showCheck(check);
    } catch (err) {
      this.capture.disabled = true;
      if (sessionEnded(err)) {
        this.stop();
        return;
      }
      this.say(errorText(err), 'error');
    }
  }

  // The photo: the full-size frame, checked once more at that size (the
  // enrollment's own gate sees the same picture).
  private async take(): Promise<void> {
    if (this.taking) return;
    this.taking = true;
    this.capture.disabled = true;
    try {
      const f = await this.frame();
      if (!f) return;
      const base64 = await blobToBase64(f.blob);
      const check = await checkFace(base64);
      if (!check.passed) {
        this.drawBox(check);
        this.showCheck(check);
        return;
      }
      this.stop();
      await this.use(f.blob, base64);
    } catch (err) {
      if (!sessionEnded(err)) this.say(errorText(err), 'error');
    } finally {
      this.taking = false;
    }
  }

  private async useFile(f: File): Promise<void> {
    this.stop();
    try {
      const base64 = await blobToBase64(f);
      const check = await checkFace(base64);
      if (!check.passed) {
        this.say(t('camera.file_refused', { reasons: check.issues.map((i) => qualityText(i.code)).join(' · ') }), 'problem');
        return;
      }
      await this.use(f, base64);
    } catch (err) {
      if (!sessionEnded(err)) this.say(errorText(err), 'error');
    }
  }

  private async use(b: Blob, base64?: string): Promise<void> {
    const url = blobUrl(b);
    this.photo = { base64: base64 ?? (await blobToBase64(b)), url };
    replace(
      this.preview,
      h('img', { src: url, alt: t('camera.taken'), id: 'camera-photo', class: 'face' }),
      h('button', { type: 'button', id: 'camera-retake', onclick: () => { this.clear(); void this.open(); } },
        t('camera.retake')),
    );
    this.say(t('camera.ready'), 'ok');
    this.onPhoto(this.photo);
  }
}

