const recognition = require('../../../services/recognition');
const { BULLETIN_KIND_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');
const pagedList = require('../../../behaviors/paged-list');

const PAGE_SIZE = 20;
const KINDS = [{ key: '', label: '全部' }].concat(
  Object.keys(BULLETIN_KIND_LABELS).map((key) => ({ key, label: BULLETIN_KIND_LABELS[key] })),
);

function present(b) {
  return Object.assign({}, b, {
    kindText: b.kind_name || BULLETIN_KIND_LABELS[b.kind] || '',
    timeText: formatDateTime(b.published_at),
  });
}

Component({
  behaviors: [pagedList],

  data: {
    kinds: KINDS,
    kind: '',
    pageSize: PAGE_SIZE,
  },

  methods: {
    onLoad(options) {
      const kind = options && BULLETIN_KIND_LABELS[options.kind] ? options.kind : '';
      this.setData({ kind });
      this.loadPage(1);
    },

    onKindTap(e) {
      const { kind } = e.currentTarget.dataset;
      if (kind === this.data.kind) return;
      this.reload({ kind });
    },

    fetchPage(page, pageSize) {
      return recognition.bulletins({ kind: this.data.kind, page, page_size: pageSize }, { auth: false });
    },

    presentItem: present,

    pagedKey() {
      return this.data.kind;
    },

    onItemTap(e) {
      const { id } = e.currentTarget.dataset;
      wx.navigateTo({ url: `/pages/recognition/bulletin/index?id=${id}` });
    },
  },
});
