// Assign picker: handlers of the request's area, suggested by skills and current load.
const requestService = require('../../../../../services/service_request');

function present(c) {
  return Object.assign({}, c, {
    skillsText: (c.skills || []).join('、'),
    matchedText: (c.matched_skills || []).join('、'),
  });
}

Component({
  data: { id: null, items: [], selected: null, note: '', loading: false, busy: false },

  methods: {
    onLoad(options) {
      this.setData({ id: Number(options && options.id) });
      this.load();
    },

    async load() {
      this.setData({ loading: true });
      try {
        const res = await requestService.candidates(this.data.id);
        this.setData({ items: (res.items || []).map(present) });
      } catch (e) {
        // request.js showed the reason (e.g. 已上报至上级).
      } finally {
        this.setData({ loading: false });
      }
    },

    onPick(e) {
      this.setData({ selected: Number(e.currentTarget.dataset.id) });
    },

    onNoteInput(e) {
      this.setData({ note: e.detail.value });
    },

    async onConfirm() {
      if (!this.data.selected) {
        wx.showToast({ title: '请选择处理人', icon: 'none' });
        return;
      }
      if (this.data.busy) return;
      this.setData({ busy: true });
      try {
        await requestService.assign(this.data.id, this.data.selected, this.data.note.trim());
        wx.showToast({ title: '已指派', icon: 'success' });
        wx.navigateBack();
      } catch (e) {
        // request.js showed the reason.
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
