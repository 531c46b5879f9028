// Code-unit order of two strings, the same the shared-file contract sorts both files by.
export { compareStrings } from "@rancher-haproxy/core";
