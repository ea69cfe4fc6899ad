// Browser, OS, device and bot flag from a User-Agent, with Umami's names.
import { browserName, detectOS } from 'detect-browser';
import { UAParser } from 'ua-parser-js';
import { isbot } from 'isbot';
import { Lru } from './lru.js';

export interface UaInfo {
  browser: string | null;
  os: string | null;
  /** ua-parser-js device type, or 'desktop' when it names none. */
  deviceType: string;
  bot: boolean;
}

export interface ClientInfo {
  browser: string | null;
  os: string | null;
  device: string;
}

// An uncached ua-parser-js parse costs ~100 µs; real traffic repeats a few thousand UA strings.
const cache = new Lru<string, UaInfo>(10_000);

export function parseUserAgent(ua: string): UaInfo {
  let info = cache.get(ua);
  if (!info) {
    info = {
      browser: browserName(ua),
      os: detectOS(ua),
      deviceType: new UAParser(ua).getDevice().type ?? 'desktop',
      bot: isbot(ua),
    };
    cache.set(ua, info);
  }
  return info;
}

/** Umami calls a desktop with a screen no wider than 1920 px a laptop. */
export function deviceFor(deviceType: string, screen: string | undefined): string {
  if (deviceType !== 'desktop' || !screen) return deviceType;
  const width = Number.parseInt(screen.split('x')[0], 10);
  return width > 0 && width <= 1920 ? 'laptop' : 'desktop';
}

export function clientInfo(ua: string, screen: string | undefined): ClientInfo & { bot: boolean } {
  const info = parseUserAgent(ua);
  return { browser: info.browser, os: info.os, device: deviceFor(info.deviceType, screen), bot: info.bot };
}
