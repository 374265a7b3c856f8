// The live camera for a face photo: the picture with the detected face box,
// the quality reasons in plain words, a capture button enabled only while
// the frame passes (POST /api/v1/faces/check, a few frames a second). Or a
// photo file. Frames are never kept: only the captured photo, in memory.
import * as api from './api';
import { h, replace } from './dom';
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
  private lastPassed: Blob | null = null;
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
    this.lastPassed = null;
    const g = this.overlay.getContext('2d');
    g?.clearRect(0, 0, this.overlay.width, this.overlay.height);
  }

  private say(text: string, kind: 'ok' | 'problem' | 'error' | '' = ''): void {
    this.status.textContent = text;
    this.status.className = kind;
  }

  private async frame(): Promise<Blob | null> {
    const w = this.video.videoWidth;
    const hgt = this.video.videoHeight;
    if (!w || !hgt) return null;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = hgt;
    c.getContext('2d')!.drawImage(this.video, 0, 0, w, hgt);
    return new Promise((resolve) => c.toBlob((b) => resolve(b), 'image/jpeg', 0.92));
  }

  private drawBox(check: FaceCheck | null): void {
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
    g.strokeRect(check.box.x, check.box.y, check.box.width, check.box.height);
  }

  private loop(): void {
    if (!this.stream) return;
    this.timer = window.setTimeout(async () => {
      await this.checkOnce();
      this.loop();
    }, kCheckIntervalMs);
  }

  private async checkOnce(): Promise<void> {
    const b = await this.frame();
    if (!b || !this.stream) return;
    try {
      const check = await checkFace(await blobToBase64(b));
      if (!this.stream) return;
      this.drawBox(check);
      if (check.passed) {
        this.lastPassed = b;
        this.capture.disabled = false;
        const remarks = check.remarks.map((r) => qualityText(r.code));
        this.say([t('camera.good'), ...remarks].join(' · '), 'ok');
      } else {
        this.lastPassed = null;
        this.capture.disabled = true;
        this.say(check.issues.map((i) => qualityText(i.code)).join(' · '), 'problem');
      }
    } catch (err) {
      this.lastPassed = null;
      this.capture.disabled = true;
      if (sessionEnded(err)) {
        this.stop();
        return;
      }
      this.say(errorText(err), 'error');
    }
  }

  private async take(): Promise<void> {
    if (!this.lastPassed) return;
    const b = this.lastPassed;
    this.stop();
    await this.use(b);
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

