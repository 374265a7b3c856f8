// Videos for Chromium's fake camera (--use-file-for-fake-video-capture),
// made at test time with Debian's ffmpeg from dev photos: 640x480 y4m, one
// second at 10 frames/s (Chromium loops it).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const base = ['-v', 'error', '-y'];

// One photo, centred on grey.
export function photoVideo(photo, out) {
  execFileSync('ffmpeg', [...base, '-loop', '1', '-i', photo, '-t', '1', '-r', '10',
    '-vf', 'scale=480:480,pad=640:480:80:0:gray,format=yuv420p', out]);
  return out;
}

// Two photos side by side: two faces in the picture.
export function twoFacesVideo(a, b, out) {
  const still = out.replace(/\.y4m$/, '.png');
  execFileSync('ffmpeg', [...base, '-i', a, '-i', b, '-filter_complex',
    '[0]scale=320:320[a];[1]scale=320:320[b];[a][b]hstack,pad=640:480:0:80:gray', '-frames:v', '1', still]);
  execFileSync('ffmpeg', [...base, '-loop', '1', '-i', still, '-t', '1', '-r', '10', '-pix_fmt', 'yuv420p', out]);
  return out;
}

// No face: ffmpeg's moving test pattern.
export function noFaceVideo(out) {
  execFileSync('ffmpeg', [...base, '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=10', '-t', '1',
    '-pix_fmt', 'yuv420p', out]);
  return out;
}

export function devPhoto(shared, person, n) {
  return path.join(shared, 'faces', 'dev', person, `${n}.jpg`);
}

// A card as a phone camera sees it: the card PNG scaled into a 1280x720
// frame, turned 4 degrees, slightly out of focus, JPEG-compressed hard.
// Returns the photo (JPEG) and, with `video`, the y4m made from it.
export function photographedCard(cardPng, outJpg, video) {
  execFileSync('ffmpeg', [...base, '-i', cardPng, '-vf',
    'scale=900:-2,format=rgb24,rotate=4*PI/180:fillcolor=gray:ow=rotw(4*PI/180):oh=roth(4*PI/180),gblur=sigma=1.1,' +
    'pad=1280:720:(ow-iw)/2:(oh-ih)/2:gray', '-q:v', '14', '-frames:v', '1', outJpg]);
  if (video) {
    execFileSync('ffmpeg', [...base, '-loop', '1', '-i', outJpg, '-t', '1', '-r', '10', '-pix_fmt', 'yuv420p', video]);
  }
  return outJpg;
}
