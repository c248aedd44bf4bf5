const storage = require('../../utils/storage');
const { setApiBase } = require('../../config/env');
const uploadService = require('../../services/upload');

beforeEach(() => {
  setApiBase('https://api.example.cn/api/v1');
  storage.set(storage.TOKEN_KEY, 'tok');
});

afterEach(() => setApiBase(null));

test('uploads as multipart field "file" with the token and returns the stored URL', async () => {
  wx.uploadFile = jest.fn((opts) => opts.success({ statusCode: 201, data: JSON.stringify({ url: '/api/v1/uploads/202603-a.png' }) }));
  const result = await uploadService.uploadImage('wxfile://x.png');
  expect(result.url).toBe('/api/v1/uploads/202603-a.png');
  const opts = wx.uploadFile.mock.calls[0][0];
  expect(opts.url).toBe('https://api.example.cn/api/v1/uploads');
  expect(opts.name).toBe('file');
  expect(opts.header.Authorization).toBe('Bearer tok');
});

test('a refused image rejects with the server message', async () => {
  wx.uploadFile = jest.fn((opts) => opts.success({
    statusCode: 415,
    data: JSON.stringify({ code: 'unsupported_file_type', message: '仅支持 PNG、JPEG、WebP、GIF 格式的图片' }),
  }));
  await expect(uploadService.uploadImage('wxfile://x.txt')).rejects.toMatchObject({
    code: 'unsupported_file_type',
    statusCode: 415,
  });
  wx.uploadFile = jest.fn((opts) => opts.fail({ errMsg: 'uploadFile:fail' }));
  await expect(uploadService.uploadImage('wxfile://x.png')).rejects.toMatchObject({ code: 'network_error' });
});

test('stored images are downloaded with the token for display', async () => {
  wx.downloadFile = jest.fn((opts) => opts.success({ statusCode: 200, tempFilePath: 'wxfile://tmp' }));
  expect(await uploadService.localCopy('/api/v1/uploads/202603-a.png')).toBe('wxfile://tmp');
  expect(wx.downloadFile.mock.calls[0][0].url).toBe('https://api.example.cn/api/v1/uploads/202603-a.png');
  expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer tok');
  wx.downloadFile = jest.fn((opts) => opts.success({ statusCode: 404 }));
  expect(await uploadService.localCopy('/api/v1/uploads/202603-b.png')).toBe('');
});
