/**
 * powertrain's own version, written into image labels and shown by --version.
 * One place: the `version` of packages/cli/package.json — the manifest of the
 * package a release ships (`npm pack` names the tarball after it, the release
 * workflow refuses a tag vX.Y.Z that differs from it). ncc inlines it into
 * every bundle, so the actions and the CLI of one commit report the same one.
 */
import { version } from "../../../cli/package.json";

export const POWERTRAIN_VERSION: string = version;
