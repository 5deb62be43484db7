// Stand-in for SheetJS xlsx: @sdeverywhere/compile 0.7.28 depends on
// a tarball on SheetJS's own CDN (xlsx 0.20.2), which is not on the npm
// registry. It is used only to read .xlsx files (GET DIRECT DATA etc.),
// which none of the benchmarked models do; any such use fails loudly here.
function unavailable() {
  throw new Error('xlsx is stubbed in bench/sde: models reading .xlsx files are not supported here')
}
export default {
  set_fs() {},
  readFile: unavailable,
  utils: new Proxy({}, { get: () => unavailable })
}
