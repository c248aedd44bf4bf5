// Certificates (志愿服务记录证明, 荣誉证书): opening the PDF that anyone may verify.
const recognition = require('../services/recognition');

// Download a certificate PDF and open it in WeChat's document viewer.
function openPdf(number) {
  return new Promise((resolve, reject) => {
    wx.showLoading({ title: '正在打开' });
    wx.downloadFile({
      url: recognition.certificatePdfUrl(number),
      success: (res) => {
        if (res.statusCode !== 200) {
          wx.hideLoading();
          reject(new Error('download failed'));
          return;
        }
        wx.openDocument({
          filePath: res.tempFilePath,
          fileType: 'pdf',
          showMenu: true,
          success: () => {
            wx.hideLoading();
            resolve();
          },
          fail: (err) => {
            wx.hideLoading();
            reject(err);
          },
        });
      },
      fail: (err) => {
        wx.hideLoading();
        reject(err);
      },
    });
  });
}

module.exports = { openPdf };
