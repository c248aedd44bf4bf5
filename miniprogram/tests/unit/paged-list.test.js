// The paged-list behavior on its own, inside a bare test component.
const { simulate, render, flush } = require('../helpers/simulate');
const pagedList = require('../../behaviors/paged-list');

// A promise the test settles by hand, to hold a request in flight.
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function rows(from, count) {
  return Array.from({ length: count }, (_, i) => ({ id: from + i, name: `条目${from + i}` }));
}

// hooks: methods mixed into the component (fetchPage is required).
function mount(hooks, data, template) {
  const id = simulate.load({
    template: template || '<view class="row" wx:for="{{items}}" wx:key="id">{{item.label}}</view>',
    behaviors: [pagedList],
    data: Object.assign({ tab: 'a', pageSize: 2 }, data),
    methods: hooks,
  });
  return render(id);
}

test('first page: requests page 1 with the page size, presents items, tracks total', async () => {
  const fetchPage = jest.fn().mockResolvedValue({ items: rows(1, 2), total: 5 });
  const comp = mount({
    fetchPage,
    presentItem(item) {
      return Object.assign({}, item, { label: `#${item.name}` });
    },
  });
  expect(comp.data).toMatchObject({ items: [], page: 0, total: 0, loading: false, finished: false });

  const pending = comp.instance.loadPage(1);
  expect(comp.data.loading).toBe(true);
  await pending;

  expect(fetchPage).toHaveBeenCalledWith(1, 2);
  expect(comp.data).toMatchObject({ page: 1, total: 5, loading: false, finished: false });
  expect(comp.querySelectorAll('.row').map((r) => r.dom.textContent)).toEqual(['#条目1', '#条目2']);
});

test('next page appends, and the last page marks the list finished', async () => {
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 3 })
    .mockResolvedValueOnce({ items: rows(3, 1), total: 3 });
  const comp = mount({ fetchPage });
  await comp.instance.loadPage(1);

  comp.instance.onReachBottom();
  await flush();
  expect(fetchPage).toHaveBeenLastCalledWith(2, 2);
  expect(comp.data.items.map((x) => x.id)).toEqual([1, 2, 3]);
  expect(comp.data).toMatchObject({ page: 2, total: 3, finished: true });

  comp.instance.onReachBottom();
  await flush();
  expect(fetchPage).toHaveBeenCalledTimes(2);
});

test('a short page finishes the list even when total says more', async () => {
  const fetchPage = jest.fn().mockResolvedValue({ items: rows(1, 1), total: 10 });
  const comp = mount({ fetchPage });
  await comp.instance.loadPage(1);
  expect(comp.data.finished).toBe(true);
});

test('page 1 replaces what was loaded; a missing body counts as empty', async () => {
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 4 })
    .mockResolvedValueOnce({ items: rows(3, 2), total: 4 })
    .mockResolvedValueOnce({ items: rows(9, 1), total: 1 })
    .mockResolvedValueOnce(undefined);
  const comp = mount({ fetchPage });
  await comp.instance.loadPage(1);
  await comp.instance.loadPage(2);
  await comp.instance.loadPage(1);
  expect(comp.data.items.map((x) => x.id)).toEqual([9]);
  expect(comp.data).toMatchObject({ page: 1, total: 1, finished: true });
  await comp.instance.loadPage(1);
  expect(comp.data).toMatchObject({ items: [], page: 1, total: 0, finished: true, loading: false });
});

test('no second request while one is in flight', async () => {
  const first = deferred();
  const fetchPage = jest.fn().mockReturnValueOnce(first.promise);
  const comp = mount({ fetchPage });
  comp.instance.loadPage(1);
  comp.instance.onReachBottom();
  await comp.instance.loadPage(1);
  expect(fetchPage).toHaveBeenCalledTimes(1);
  first.resolve({ items: rows(1, 2), total: 4 });
  await flush();
  expect(comp.data).toMatchObject({ page: 1, loading: false });
});

test('an answer for a filter the user has left is dropped, and the new filter loads', async () => {
  const first = deferred();
  const second = deferred();
  const fetchPage = jest.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
  const pagedLoaded = jest.fn();
  const comp = mount({
    fetchPage,
    pagedLoaded,
    pagedKey() {
      return this.data.tab;
    },
  });
  comp.instance.loadPage(1);
  comp.setData({ tab: 'b' });
  comp.instance.reload(); // skipped: the first request is still in flight
  first.resolve({ items: rows(1, 2), total: 2 });
  await flush();
  expect(pagedLoaded).not.toHaveBeenCalled();
  expect(fetchPage).toHaveBeenCalledTimes(2); // tab b's page 1, requested once a's answer is dropped
  second.resolve({ items: rows(7, 1), total: 1 });
  await flush();
  expect(comp.data.items.map((x) => x.id)).toEqual([7]);
  expect(comp.data).toMatchObject({ page: 1, total: 1, loading: false, finished: true });
  expect(pagedLoaded).toHaveBeenCalledTimes(1);
});

test('a failed request clears loading, keeps the list and calls pagedFailed', async () => {
  const failure = { code: 'network_error', message: '网络异常' };
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 4 })
    .mockRejectedValueOnce(failure);
  const pagedFailed = jest.fn();
  const comp = mount({ fetchPage, pagedFailed });
  await comp.instance.loadPage(1);
  await comp.instance.loadPage(2);
  expect(pagedFailed).toHaveBeenCalledWith(failure);
  expect(comp.data).toMatchObject({ page: 1, total: 4, loading: false, finished: false });
  expect(comp.data.items).toHaveLength(2);
  expect(comp.instance._loadedOnce).toBe(true);

  // Without pagedFailed the error is swallowed (request.js showed the toast).
  const quiet = mount({ fetchPage: jest.fn().mockRejectedValue(failure) });
  await expect(quiet.instance.loadPage(1)).resolves.toBeUndefined();
  expect(quiet.data.loading).toBe(false);
});

test('pull-down refresh reloads page 1 and then stops the spinner', async () => {
  const first = deferred();
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 4 })
    .mockResolvedValueOnce({ items: rows(3, 2), total: 4 })
    .mockReturnValueOnce(first.promise);
  const comp = mount({ fetchPage });
  await comp.instance.loadPage(1);
  await comp.instance.loadPage(2);

  comp.instance.onPullDownRefresh();
  await flush();
  expect(fetchPage).toHaveBeenLastCalledWith(1, 2);
  expect(wx.stopPullDownRefresh).not.toHaveBeenCalled();
  first.resolve({ items: rows(7, 1), total: 1 });
  await flush();
  expect(wx.stopPullDownRefresh).toHaveBeenCalledTimes(1);
  expect(comp.data.items.map((x) => x.id)).toEqual([7]);
});

test('pagedLoaded adds data to the same update; reload resets and applies the filter', async () => {
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 3, unread: 1 })
    .mockResolvedValueOnce({ items: rows(5, 1), total: 1, unread: 0 });
  const comp = mount({
    fetchPage,
    pagedLoaded(body, items, page) {
      return { unread: body.unread, summary: `${page}:${items.length}` };
    },
  });
  await comp.instance.loadPage(1);
  expect(comp.data).toMatchObject({ unread: 1, summary: '1:2' });

  const pending = comp.instance.reload({ tab: 'b' });
  expect(comp.data).toMatchObject({ tab: 'b', items: [], page: 0, finished: false, total: 3 });
  await pending;
  expect(fetchPage).toHaveBeenLastCalledWith(1, 2);
  expect(comp.data).toMatchObject({ unread: 0, summary: '1:1', page: 1, total: 1 });
});

test('itemsKey renames the list key', async () => {
  const fetchPage = jest.fn()
    .mockResolvedValueOnce({ items: rows(1, 2), total: 3 })
    .mockResolvedValueOnce({ items: rows(3, 1), total: 3 });
  const comp = mount({ fetchPage }, { itemsKey: 'records' },
    '<view class="row" wx:for="{{records}}" wx:key="id">{{item.name}}</view>');
  await comp.instance.loadPage(1);
  comp.instance.onReachBottom();
  await flush();
  expect(comp.querySelectorAll('.row')).toHaveLength(3);
  expect(comp.data.items).toEqual([]);
  comp.instance.reload();
  expect(comp.data.records).toEqual([]);
});
