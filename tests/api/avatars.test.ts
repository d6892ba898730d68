import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BLUE,
  GREEN,
  RED,
  bandedImage,
  near,
  pixelAt,
  pngDeclaring,
  solidImage,
  type ImageFormat,
} from '#tests/helpers/images.ts';
import { avatarNameOf, releaseAvatar, saveAvatar } from '#server/modules/profile/avatar-store.ts';
import { ProfileEntity } from '#server/modules/profile/profile.entity.ts';
import { storedAvatar, storedAvatars } from '#tests/helpers/stored-avatars.ts';
import { uploadAvatar, uploadAvatarOk } from '#tests/helpers/upload.ts';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  trpcError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
let uploader: SignedUp;
let refused: SignedUp;

const AVATAR_URL = /^\/media\/avatars\/[a-f0-9]{64}\.webp$/;

beforeAll(async () => {
  server = await startTestServer();
  // Refused uploads count towards the hourly limit too: they get their own member.
  [uploader, refused] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
});
afterAll(async () => {
  await server?.close();
});

const storedFiles = () => storedAvatars(server);

async function fetchAvatar(avatarUrl: string): Promise<{ response: Response; bytes: Buffer }> {
  const response = await server.fetch(avatarUrl);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** What every served avatar must be: a 512 px square WebP with the media headers of API.md §7. */
async function expectServedAvatar(avatarUrl: string): Promise<Buffer> {
  expect(avatarUrl).toMatch(AVATAR_URL);
  const { response, bytes } = await fetchAvatar(avatarUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/webp');
  expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const metadata = await sharp(bytes).metadata();
  expect({ format: metadata.format, width: metadata.width, height: metadata.height }).toEqual({
    format: 'webp',
    width: 512,
    height: 512,
  });
  return bytes;
}

function expectRefusal(answer: { status: number; json: any }, status: number, code: string, reason: string): void {
  expect({
    status: answer.status,
    code: answer.json?.error?.data?.code,
    reason: answer.json?.error?.data?.reason,
  }).toEqual({ status, code, reason });
}

describe('accepted images', () => {
  const formats: ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'avif'];
  test.each(formats)(
    'profile.uploadAvatar turns a %s into a 512 px square WebP served from /media with a year of caching',
    async (format) => {
      const image = await solidImage(format, 96, 96, BLUE);
      expect((await sharp(image).metadata()).format).toBe(format === 'avif' ? 'heif' : format);
      const avatarUrl = await uploadAvatarOk(server, uploader.session.accessToken, {
        bytes: image,
        fileName: `me.${format}`,
        type: `image/${format}`,
      });
      const served = await expectServedAvatar(avatarUrl);
      expect(near(await pixelAt(served, 256, 256), BLUE)).toBe(true);
      // The profile and auth.me now point at it.
      const profile = await server.client().trpc.profile.get.query({ userId: uploader.session.user.id });
      expect(profile.avatarUrl).toBe(avatarUrl);
      expect((await uploader.client.trpc.auth.me.query()).profile.avatarUrl).toBe(avatarUrl);
    },
  );

  test('profile.uploadAvatar crops a wide image to its centre square instead of squashing it', async () => {
    // 300 x 100: red | green | blue. The centre square is all green; a squashed image would keep red and blue at its edges.
    const avatarUrl = await uploadAvatarOk(server, uploader.session.accessToken, {
      bytes: await bandedImage(300, 100),
      fileName: 'wide.png',
    });
    const served = await expectServedAvatar(avatarUrl);
    for (const x of [8, 256, 503]) expect(near(await pixelAt(served, x, 256), GREEN), `pixel at x=${x}`).toBe(true);
  });

  test('profile.uploadAvatar crops a tall image to a square too', async () => {
    const tall = await sharp(await bandedImage(300, 100))
      .rotate(90)
      .png()
      .toBuffer();
    expect(await sharp(tall).metadata()).toMatchObject({ width: 100, height: 300 });
    const avatarUrl = await uploadAvatarOk(server, uploader.session.accessToken, { bytes: tall, fileName: 'tall.png' });
    const served = await expectServedAvatar(avatarUrl);
    for (const y of [8, 256, 503]) expect(near(await pixelAt(served, 256, y), GREEN), `pixel at y=${y}`).toBe(true);
  });

  test('profile.uploadAvatar strips EXIF (GPS included), ICC and XMP metadata from a photo', async () => {
    const xmp =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
      '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Secret Photographer</dc:creator></rdf:Description>' +
      '</rdf:RDF></x:xmpmeta>';
    const photo = await sharp({ create: { width: 120, height: 120, channels: 3, background: RED } })
      .withExif({
        IFD0: { Make: 'LatchkeyCam', Copyright: 'Secret Owner' },
        // libvips' IFD3 is the GPS IFD.
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 2957/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 17/1 4008/100',
        },
      })
      .withIccProfile('p3')
      .withXmp(xmp)
      .jpeg()
      .toBuffer();
    // The input really carries all of it: EXIF with a GPS IFD pointer (tag 0x8825, little-endian), ICC and XMP.
    const input = await sharp(photo).metadata();
    expect(input.exif?.toString('latin1')).toContain('LatchkeyCam');
    expect(input.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true);
    expect(input.icc).toBeDefined();
    expect(input.xmp?.toString('utf8')).toContain('Secret Photographer');

    const avatarUrl = await uploadAvatarOk(server, uploader.session.accessToken, {
      bytes: photo,
      fileName: 'photo.jpg',
      type: 'image/jpeg',
    });
    const served = await expectServedAvatar(avatarUrl);
    const output = await sharp(served).metadata();
    expect({ exif: output.exif, icc: output.icc, xmp: output.xmp }).toEqual({
      exif: undefined,
      icc: undefined,
      xmp: undefined,
    });
    const text = served.toString('latin1');
    for (const secret of ['LatchkeyCam', 'Secret Owner', 'Secret Photographer', 'Exif', 'XMP ', 'ICCP'])
      expect(text).not.toContain(secret);
    // What the database holds is exactly what is served.
    expect(await storedAvatar(server, avatarUrl)).toEqual(served);
  });
});

describe('refused files', () => {
  test('profile.uploadAvatar refuses an SVG with INVALID_IMAGE', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(document.cookie)</script>' +
      '<rect width="64" height="64" fill="red"/></svg>';
    const before = await storedFiles();
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      bytes: svg,
      fileName: 'me.svg',
      type: 'image/svg+xml',
    });
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_IMAGE');
    expect(await storedFiles()).toEqual(before);
    expect((await server.client().trpc.profile.get.query({ userId: refused.session.user.id })).avatarUrl).toBeNull();
  });

  test('profile.uploadAvatar refuses a text file named .png with INVALID_IMAGE', async () => {
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      bytes: 'just some text, not a picture\n'.repeat(20),
      fileName: 'me.png',
      type: 'image/png',
    });
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_IMAGE');
  });

  test('profile.uploadAvatar refuses a truncated JPEG with INVALID_IMAGE', async () => {
    const whole = await sharp({ create: { width: 256, height: 256, channels: 3, background: GREEN } })
      .composite([{ input: await bandedImage(128, 128), left: 64, top: 64 }])
      .jpeg({ quality: 95 })
      .toBuffer();
    const half = whole.subarray(0, Math.floor(whole.length / 2));
    expect((await sharp(half).metadata()).format).toBe('jpeg');
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      bytes: half,
      fileName: 'cut.jpg',
      type: 'image/jpeg',
    });
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_IMAGE');
  });

  test('profile.uploadAvatar refuses a form without a file field with INVALID_IMAGE', async () => {
    const answer = await uploadAvatar(server, refused.session.accessToken, null);
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_IMAGE');
  });

  test('profile.uploadAvatar refuses an image sent under another field name with INVALID_IMAGE', async () => {
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      field: 'avatar',
      bytes: await solidImage('png'),
      fileName: 'me.png',
    });
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_IMAGE');
  });

  test('profile.uploadAvatar refuses a JSON body with BAD_REQUEST and INVALID_INPUT', async () => {
    const answer = await rawTrpc(server, {
      path: 'profile.uploadAvatar',
      headers: { Authorization: `Bearer ${refused.session.accessToken}` },
      input: { file: (await solidImage('png')).toString('base64') },
    });
    expectRefusal(answer, 400, 'BAD_REQUEST', 'INVALID_INPUT');
  });

  test('profile.uploadAvatar refuses a 6 MiB file with 413 and IMAGE_TOO_LARGE before reading it', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0x41);
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      bytes: big,
      fileName: 'big.jpg',
      type: 'image/jpeg',
    });
    expectRefusal(answer, 413, 'PAYLOAD_TOO_LARGE', 'IMAGE_TOO_LARGE');
  });

  test('profile.uploadAvatar refuses a tiny PNG declaring 20000 x 20000 pixels with IMAGE_TOO_LARGE, without decoding it', async () => {
    const bomb = pngDeclaring(20_000, 20_000);
    expect(bomb.length).toBeLessThan(2048);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({
      format: 'png',
      width: 20_000,
      height: 20_000,
    });
    const rssBefore = process.memoryUsage().rss;
    const answer = await uploadAvatar(server, refused.session.accessToken, {
      bytes: bomb,
      fileName: 'bomb.png',
      type: 'image/png',
    });
    const rssAfter = process.memoryUsage().rss;
    expectRefusal(answer, 413, 'PAYLOAD_TOO_LARGE', 'IMAGE_TOO_LARGE');
    // Decoding 400 megapixels would take at least 400 MB; the server runs in this process.
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  test('profile.uploadAvatar refuses a request without a token with UNAUTHORIZED and stores nothing', async () => {
    const before = await storedFiles();
    const answer = await uploadAvatar(server, null, {
      bytes: await solidImage('png', 40, 40, GREEN),
      fileName: 'me.png',
      type: 'image/png',
    });
    expectRefusal(answer, 401, 'UNAUTHORIZED', 'UNAUTHENTICATED');
    expect(await storedFiles()).toEqual(before);
  });
});

describe('stored pictures', () => {
  test('profile.uploadAvatar replacing a picture deletes the old one, whose URL then answers 404', async () => {
    const member = await signUpAndVerify(server);
    const first = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 50, 50, { r: 10, g: 20, b: 30 }),
    });
    expect(await storedAvatar(server, first)).not.toBeNull();
    const second = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 50, 50, { r: 200, g: 180, b: 10 }),
    });
    expect(second).not.toBe(first);
    await expectServedAvatar(second);
    expect(await storedAvatar(server, first)).toBeNull();
    expect((await fetchAvatar(first)).response.status).toBe(404);
    expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).avatarUrl).toBe(second);
  });

  test('profile.removeAvatar deletes the picture and sets avatarUrl to null', async () => {
    const member = await signUpAndVerify(server);
    const avatarUrl = await uploadAvatarOk(server, member.session.accessToken, {
      bytes: await solidImage('png', 50, 50, { r: 90, g: 10, b: 140 }),
    });
    expect(await member.client.trpc.profile.removeAvatar.mutate()).toEqual({ status: 'ok' });
    expect(await storedAvatar(server, avatarUrl)).toBeNull();
    expect((await fetchAvatar(avatarUrl)).response.status).toBe(404);
    expect((await server.client().trpc.profile.get.query({ userId: member.session.user.id })).avatarUrl).toBeNull();
    expect((await member.client.trpc.auth.me.query()).profile.avatarUrl).toBeNull();
    // Removing when there is nothing to remove is fine.
    expect(await member.client.trpc.profile.removeAvatar.mutate()).toEqual({ status: 'ok' });
  });

  test('profile.removeAvatar refuses a request without a token with UNAUTHORIZED', async () => {
    const error = await trpcError(server.client().trpc.profile.removeAvatar.mutate());
    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(error.data?.reason).toBe('UNAUTHENTICATED');
  });

  test('profile.uploadAvatar of one image by two members shares one stored picture, and one removing it leaves the other pictured', async () => {
    const [one, two] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
    const image = await solidImage('jpeg', 80, 80, { r: 250, g: 140, b: 0 });
    const before = await storedFiles();
    const urlOne = await uploadAvatarOk(server, one.session.accessToken, { bytes: image, fileName: 'same.jpg' });
    const urlTwo = await uploadAvatarOk(server, two.session.accessToken, { bytes: image, fileName: 'same.jpg' });
    expect(urlTwo).toBe(urlOne);
    expect((await storedFiles()).filter((name) => !before.includes(name))).toEqual([path.basename(urlOne)]);

    await one.client.trpc.profile.removeAvatar.mutate();
    await expectServedAvatar(urlTwo);
    expect((await server.client().trpc.profile.get.query({ userId: two.session.user.id })).avatarUrl).toBe(urlTwo);

    // The other replacing theirs too: now nobody uses the picture, and it goes.
    await uploadAvatarOk(server, two.session.accessToken, {
      bytes: await solidImage('jpeg', 80, 80, { r: 0, g: 140, b: 250 }),
    });
    expect((await fetchAvatar(urlOne)).response.status).toBe(404);
  });

  test('a picture one member lets go of while another stores the same image stays stored for the other, across 100 races', async () => {
    // Below HTTP, where the two transactions can meet: over HTTP the image's re-encoding keeps them apart.
    const pairs = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const [leaving, arriving] = await Promise.all([signUpAndVerify(server), signUpAndVerify(server)]);
        return { leaving: leaving.session.user.id, arriving: arriving.session.user.id };
      }),
    );
    const orm = server.app.deps.orm;
    for (let round = 0; round < 10; round++) {
      const pictures = await Promise.all(
        pairs.map(async ({ leaving }, index) => {
          const webp = await sharp({
            create: { width: 8, height: 8, channels: 3, background: { r: round, g: index, b: 1 } },
          })
            .webp()
            .toBuffer();
          await saveAvatar(orm.em.fork(), leaving, webp, new Date());
          return webp;
        }),
      );
      await Promise.all(
        pairs.flatMap(({ leaving, arriving }, index) => [
          (async () => {
            const em = orm.em.fork();
            await em.nativeUpdate(ProfileEntity, { user: leaving }, { avatarFile: null });
            await releaseAvatar(em, avatarNameOf(pictures[index]!));
          })(),
          saveAvatar(orm.em.fork(), arriving, pictures[index]!, new Date()),
        ]),
      );
      for (const { arriving } of pairs) {
        const { avatarUrl } = await server.client().trpc.profile.get.query({ userId: arriving });
        expect((await fetchAvatar(avatarUrl!)).response.status).toBe(200);
      }
    }
  });
});

describe('media route', () => {
  test('GET /media/avatars answers 404 for names that are not avatar files, and for unknown files', async () => {
    const names = [
      `${'0'.repeat(64)}.webp`, // well-formed, not stored
      'avatar.webp',
      `${'A'.repeat(64)}.webp`,
      `${'a'.repeat(64)}.png`,
      `${'a'.repeat(63)}.webp`,
      '..%2F..%2Fapp.db',
      '..%2Fkeys',
      '%2E%2E%2Fapp.db',
    ];
    for (const name of names) {
      const response = await server.fetch(`/media/avatars/${name}`);
      expect({ name, status: response.status }).toEqual({ name, status: 404 });
      expect(response.headers.get('content-type')).not.toBe('image/webp');
    }
  });
});

describe('upload limit', () => {
  test('profile.uploadAvatar allows 20 uploads an hour, refuses the 21st with RATE_LIMITED and Retry-After, and allows it again an hour later', async () => {
    const member = await signUpAndVerify(server);
    const image = await solidImage('png', 16, 16, GREEN);
    for (let upload = 1; upload <= 20; upload++) {
      const answer = await uploadAvatar(server, member.session.accessToken, { bytes: image, fileName: 'me.png' });
      expect({ upload, status: answer.status }).toEqual({ upload, status: 200 });
    }
    const refusedAnswer = await uploadAvatar(server, member.session.accessToken, { bytes: image, fileName: 'me.png' });
    expectRefusal(refusedAnswer, 429, 'TOO_MANY_REQUESTS', 'RATE_LIMITED');
    const retryAfterSeconds: unknown = refusedAnswer.json.error.data.retryAfterSeconds;
    expect(typeof retryAfterSeconds).toBe('number');
    expect(retryAfterSeconds).toBeGreaterThan(0);
    expect(retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(refusedAnswer.headers.get('retry-after')).toBe(String(retryAfterSeconds));
    expect(refusedAnswer.headers.get('cache-control')).toBe('no-store');

    // Someone else is not affected.
    await uploadAvatarOk(server, uploader.session.accessToken, { bytes: await solidImage('png', 16, 16, RED) });

    try {
      server.shiftClock(60 * 60 + 5);
      // The access token has expired an hour on: sign in again.
      const result = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
      if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
      const answer = await uploadAvatar(server, result.session.accessToken, { bytes: image, fileName: 'me.png' });
      expect(answer.status).toBe(200);
      expect(answer.json.result.data.avatarUrl).toMatch(AVATAR_URL);
    } finally {
      server.shiftClock(0);
    }
  });
});
