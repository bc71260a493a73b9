/** powertrain's own version, written into image labels and shown by --version. */
export const POWERTRAIN_VERSION = "0.1.0";
