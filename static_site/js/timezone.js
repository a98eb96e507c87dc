// Wall-clock times in the tenant's time zone. An evaluator types when the contact
// happened as the tenant's clocks showed it (24/7 teams may sit elsewhere); the API
// wants ISO 8601 with the UTC offset in force then, DST included. Intl knows the
// zone rules, so the offset is read from it rather than from the browser's zone.

const formatters = new Map();

function partsFormatter(zone) {
  if (!formatters.has(zone)) {
    formatters.set(
      zone,
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
    );
  }
  return formatters.get(zone);
}

/** The zone's wall clock at an instant, as numbers. */
function wallAt(zone, epochMs) {
  const out = {};
  for (const { type, value } of partsFormatter(zone).formatToParts(new Date(epochMs))) {
    if (type !== "literal") out[type] = Number(value);
  }
  return out;
}

/** Minutes the zone is ahead of UTC at an instant. */
export function offsetMinutesAt(zone, epochMs) {
  const w = wallAt(zone, epochMs);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const whole = Math.floor(epochMs / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

export function isValidZone(zone) {
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2026-11-02T10:15" in `zone` → "2026-11-02T10:15:00+02:00".
 * A time that happens twice (the autumn hour) is the first one; a time that never
 * happens (the spring gap) takes the offset from before the change. That is what
 * Python's zoneinfo does with fold=0, so both sides agree. */
export function wallToIso(wall, zone) {
  const m = WALL.exec(wall);
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((v) => Number(v ?? 0));
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const DAY = 86400000;
  const before = offsetMinutesAt(zone, asUtc - DAY);
  const after = offsetMinutesAt(zone, asUtc + DAY);
  const fits = (offset) => offsetMinutesAt(zone, asUtc - offset * 60000) === offset;
  let offset = before;
  if (!fits(before) && fits(after)) offset = after;
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return (
    `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** An instant (ISO text or epoch ms) as the zone's wall clock, "YYYY-MM-DDTHH:MM". */
export function toWall(instant, zone) {
  const ms = typeof instant === "number" ? instant : Date.parse(instant);
  const w = wallAt(zone, ms);
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The current month in the zone, "YYYY-MM". */
export const currentMonth = (zone, now = Date.now()) => toWall(now, zone).slice(0, 7);

/** The ISO instants that start `month` ("YYYY-MM") and the month after it in the zone. */
export function monthRange(month, zone) {
  const [year, mon] = month.split("-").map(Number);
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, "0")}`;
  return { from: wallToIso(`${month}-01T00:00`, zone), to: wallToIso(`${next}-01T00:00`, zone) };
}

export function shiftMonth(month, delta) {
  const [year, mon] = month.split("-").map(Number);
  const index = year * 12 + (mon - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
