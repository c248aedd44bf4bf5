// Paged list state machine shared by the list pages (pages are built with Component()).
//
// Data it owns: items (or the key named by data.itemsKey), page, total, loading, finished.
// Configure per page in `data`: pageSize (default 20), itemsKey (default 'items').
//
// The page implements:
//   fetchPage(page, pageSize)  required: a promise of the API body { items, total, ... }.
//                              Page-specific set-up (ensureLogin, clearing an error flag)
//                              belongs here too.
//   presentItem(item)          optional: maps one API item to what the template reads.
//   pagedKey()                 optional: the current filter; an answer that arrives after
//                              the filter changed is dropped.
//   pagedLoaded(body, items, page)
//                              optional: runs after a page arrived (not for dropped ones) and
//                              returns extra data to set together with the list.
//   pagedFailed(err)           optional: runs when fetchPage rejects. Without it the error is
//                              swallowed: request.js has already shown a toast.
//
// It provides: loadPage(page), reload(extraData), onPullDownRefresh(), onReachBottom(),
// and sets this._loadedOnce after the first attempt (for "reload on onShow" pages).
module.exports = Behavior({
  data: {
    items: [],
    page: 0,
    total: 0,
    loading: false,
    finished: false,
    pageSize: 20,
    itemsKey: 'items',
  },

  methods: {
    onPullDownRefresh() {
      this.loadPage(1).then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      if (this.data.finished || this.data.loading) return;
      this.loadPage(this.data.page + 1);
    },

    // Start over from page 1, e.g. when a filter changes: `this.reload({ tab })`.
    reload(extraData) {
      this.setData(Object.assign({ [this.data.itemsKey]: [], page: 0, finished: false }, extraData));
      return this.loadPage(1);
    },

    async loadPage(page) {
      if (this.data.loading) return;
      const key = this.pagedKey ? this.pagedKey() : undefined;
      const { pageSize } = this.data;
      let stale = false;
      this.setData({ loading: true });
      try {
        const body = (await this.fetchPage(page, pageSize)) || {};
        // The user may have moved to another filter while this page was loading.
        stale = Boolean(this.pagedKey) && key !== this.pagedKey();
        if (!stale) this.showPage(body, page);
      } catch (e) {
        // request.js showed the reason unless the page asked for silence.
        if (this.pagedFailed) this.pagedFailed(e);
      } finally {
        this._loadedOnce = true;
        this.setData({ loading: false });
      }
      // The new filter's first page was skipped while this one was in flight: load it now.
      if (stale) await this.loadPage(1);
    },

    showPage(body, page) {
      const { pageSize, itemsKey } = this.data;
      const fresh = (body.items || []).map((item) => (this.presentItem ? this.presentItem(item) : item));
      const items = page === 1 ? fresh : this.data[itemsKey].concat(fresh);
      const total = body.total || 0;
      const extra = this.pagedLoaded ? this.pagedLoaded(body, items, page) : null;
      this.setData(Object.assign({
        [itemsKey]: items,
        page,
        total,
        finished: items.length >= total || fresh.length < pageSize,
      }, extra));
    },
  },
});
