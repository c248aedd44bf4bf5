const recognition = require('../../../services/recognition');
const { BULLETIN_KIND_LABELS } = require('../../../utils/constants');
const { formatDateTime } = require('../../../utils/format');

// The parts of a bulletin's content the page knows how to show, by kind.
function sections(bulletin) {
  const content = bulletin.content || {};
  if (bulletin.kind === 'daily_best') {
    return { ranking: content.entries || [], subjects: [] };
  }
  if (bulletin.kind === 'quarterly_talks') {
    return { ranking: [], subjects: content.subjects || [] };
  }
  return { ranking: content.ranking || content.entries || [], subjects: [] };
}

Component({
  data: {
    bulletin: null,
    kindText: '',
    timeText: '',
    ranking: [],
    subjects: [],
    notFound: false,
  },

  methods: {
    async onLoad(options) {
      const id = options && options.id;
      if (!id) {
        this.setData({ notFound: true });
        return;
      }
      try {
        const bulletin = await recognition.bulletin(id, { auth: false, silent: true });
        wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: bulletin.title });
        this.setData(Object.assign({
          bulletin,
          kindText: bulletin.kind_name || BULLETIN_KIND_LABELS[bulletin.kind] || '',
          timeText: formatDateTime(bulletin.published_at),
        }, sections(bulletin)));
      } catch (e) {
        this.setData({ notFound: true });
      }
    },
  },
});
